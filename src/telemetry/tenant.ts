/**
 * The tenant (company) id between services. It travels in W3C baggage under `tenant.id`, the same name as the
 * span attribute, so a downstream service puts what it received on its spans without a mapping table.
 * Who may send or receive it is decided elsewhere (propagation-targets.ts): this module only names it.
 */
import type { ScopeView } from './scope-bridge.js';

export const TENANT_BAGGAGE_KEY = 'tenant.id';

/**
 * The company a merged scope view names: the user's `company_id` (set by `setUserContext({ companyId })`),
 * else a `company_id` or `tenant_id` tag. One rule for span attributes and for baggage, so they never disagree.
 */
export function tenantOf(view: ScopeView): string | undefined {
  const company = view.user.company_id ?? view.tags.company_id ?? view.tags.tenant_id;
  return company === undefined || company === null ? undefined : String(company);
}
