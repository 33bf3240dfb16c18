/**
 * The request's user and tenant on a log record, as spans carry them: read from the Sentry scopes through the
 * scope bridge's remembered merge (no scope is made or cloned), with a tenant that arrived in baggage from an
 * allowed peer as the fallback.
 */
import { propagation, type Attributes, type Context } from '@opentelemetry/api';
import { ATTR_TENANT_ID, currentScopeSpanAttributes } from '../scope-bridge.js';
import { ATTR_USER_EMAIL, ATTR_USER_ID, ATTR_USER_ROLES } from '../semconv.js';
import { TENANT_BAGGAGE_KEY } from '../tenant.js';

const KEYS = [ATTR_USER_ID, ATTR_USER_EMAIL, ATTR_USER_ROLES, ATTR_TENANT_ID];

/** The request attributes a record emitted in `context` gets; undefined when there are none. */
export function requestAttributes(context: Context, sendDefaultPii: boolean): Attributes | undefined {
  // The bridge leaves user.email out unless PII is allowed.
  const scope = currentScopeSpanAttributes(sendDefaultPii);
  let out: Attributes | undefined;
  if (scope !== undefined) {
    for (const key of KEYS) {
      const value = scope[key];
      if (value !== undefined) (out ??= {})[key] = value;
    }
  }
  if (out?.[ATTR_TENANT_ID] === undefined) {
    const tenant = propagation.getBaggage(context)?.getEntry(TENANT_BAGGAGE_KEY);
    if (tenant !== undefined) (out ??= {})[ATTR_TENANT_ID] = tenant.value;
  }
  return out;
}
