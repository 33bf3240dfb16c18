/**
 * Companies and their API keys. Keys are stored as SHA-256 digests: a leaked database reveals no usable key,
 * and keys are long random tokens, so a fast digest is enough (no password stretching needed).
 */
import { createHash } from 'node:crypto';
import { statement, type Db } from './database.js';
import { dbSpan } from './traced.js';

export interface ApiKeyOwner {
  keyId: string;
  keyName: string;
  role: string;
  companyId: string;
  companyName: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function findApiKeyOwner(db: Db, key: string): ApiKeyOwner | undefined {
  const hash = hashApiKey(key);
  return dbSpan(
    'SELECT',
    'api_keys',
    () =>
      statement(
        db,
        `SELECT k.id AS keyId, k.name AS keyName, k.role AS role, c.id AS companyId, c.name AS companyName
           FROM api_keys k JOIN companies c ON c.id = k.company_id
          WHERE k.key_hash = ? AND k.revoked_at IS NULL`,
      ).get(hash) as ApiKeyOwner | undefined,
  );
}

export function countCompanies(db: Db): number {
  const row = statement(db, 'SELECT COUNT(*) AS n FROM companies').get() as { n: number };
  return row.n;
}

export function insertCompany(db: Db, id: string, name: string): void {
  statement(db, 'INSERT INTO companies (id, name, created_at) VALUES (?, ?, ?)').run(
    id,
    name,
    new Date().toISOString(),
  );
}

export function insertApiKey(
  db: Db,
  key: { id: string; companyId: string; name: string; role: string; secret: string },
): void {
  statement(
    db,
    'INSERT INTO api_keys (id, company_id, key_hash, name, role, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(key.id, key.companyId, hashApiKey(key.secret), key.name, key.role, new Date().toISOString());
}
