/**
 * The request's user and tenant on a log record, as spans carry them: read from the Sentry scopes through the
 * remembered scope merge (no scope is made or cloned). A tenant id an allowed peer sent is recorded as
 * `tenant.received_id`, as on spans: `tenant.id` is only ever the authenticated scope's.
 */
import type { Attributes, Context } from '@opentelemetry/api';
import { ATTR_USER_EMAIL, ATTR_USER_ID, ATTR_USER_ROLES } from '../common/semconv.js';
import { currentScopeAttributes } from '../scopes/scope-attributes.js';
import { ATTR_TENANT_ID, ATTR_TENANT_RECEIVED_ID, receivedTenantOf } from '../scopes/tenant.js';

const KEYS = [ATTR_USER_ID, ATTR_USER_EMAIL, ATTR_USER_ROLES, ATTR_TENANT_ID];

/** The request attributes a record emitted in `context` gets; undefined when there are none. */
export function requestAttributes(context: Context, sendDefaultPii: boolean): Attributes | undefined {
  // The bridge leaves user.email out unless PII is allowed.
  const scope = currentScopeAttributes(sendDefaultPii)?.attributes;
  let out: Attributes | undefined;
  if (scope !== undefined) {
    for (const key of KEYS) {
      const value = scope[key];
      if (value !== undefined) (out ??= {})[key] = value;
    }
  }
  const received = receivedTenantOf(context);
  if (received !== undefined) (out ??= {})[ATTR_TENANT_RECEIVED_ID] = received;
  return out;
}
