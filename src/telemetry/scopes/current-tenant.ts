/**
 * The tenant lookup: the company the current scopes name, for the outgoing baggage. It reads the same remembered
 * merge as span attributes, so a span's `tenant.id` and the baggage a request sends never disagree.
 */
import { currentScopeAttributes } from './scope-attributes.js';
import { ATTR_TENANT_ID } from './tenant.js';

/** The company the current scopes name (see tenant.ts), from the same remembered merge as span attributes. */
export function currentTenant(sendDefaultPii: boolean): string | undefined {
  const tenant = currentScopeAttributes(sendDefaultPii)?.attributes[ATTR_TENANT_ID];
  return typeof tenant === 'string' ? tenant : undefined;
}
