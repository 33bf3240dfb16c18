/**
 * Development data: two companies with known API keys, so `npm start` works with no setup. Only an empty
 * database outside production is seeded; production never is.
 */
import type { Db } from './database.js';
import { countCompanies, insertApiKey, insertCompany } from './api-keys.js';

export const DEV_COMPANIES = [
  { id: 'empresa_001', name: 'Empresa 001', apiKey: 'dev-key-empresa-001' },
  { id: 'empresa_002', name: 'Empresa 002', apiKey: 'dev-key-empresa-002' },
] as const;

/** Returns true when it seeded. */
export function seedDevelopmentData(db: Db, production: boolean): boolean {
  if (production || countCompanies(db) > 0) return false;
  db.transaction(() => {
    for (const company of DEV_COMPANIES) {
      insertCompany(db, company.id, company.name);
      insertApiKey(db, {
        id: `key_${company.id}_dev`,
        companyId: company.id,
        name: `${company.name} development key`,
        role: 'integration',
        secret: company.apiKey,
      });
    }
  })();
  return true;
}
