/**
 * The tenant (company) id between services. Outgoing, it travels in W3C baggage under `tenant.id`, the same name
 * as the span attribute, and it is always the company of the current (authenticated) scope, never a value that
 * arrived from outside. Incoming, a `tenant.id` is a claim: the propagator takes it out of the baggage, and only
 * when the peer is in `baggageAcceptFrom` keeps it, under its own attribute name, `tenant.received_id`, so a
 * caller can never make its claim read as our tenant. Who may send or receive it is decided in
 * propagation/targets.ts: this module only names it and carries the claim in the context.
 */
import { createContextKey, propagation, type Context } from '@opentelemetry/api';

/** The company of the current scope, as a span attribute. */
export const ATTR_TENANT_ID = 'tenant.id';
/** The baggage entry carries the same name as the span attribute. */
export const TENANT_BAGGAGE_KEY = ATTR_TENANT_ID;
/** The span attribute of a `tenant.id` an allowed peer sent: recorded, never trusted or forwarded. */
export const ATTR_TENANT_RECEIVED_ID = 'tenant.received_id';

const RECEIVED_TENANT = createContextKey('otel-sentry-bridge.received-tenant');
/** A claim is written on every span of the request: a peer's 8 KB value must not become 8 KB per span. */
const MAX_RECEIVED_TENANT = 256;

export function receivedTenantOf(context: Context): string | undefined {
  const tenant = context.getValue(RECEIVED_TENANT);
  return typeof tenant === 'string' ? tenant : undefined;
}

/**
 * The non-Sentry entries of an allowed peer's baggage, put into the context: every entry as baggage, except
 * `tenant.id`, which becomes the received claim. Out of the baggage, it can neither be forwarded as ours nor
 * be read by the app as if it were the authenticated company.
 */
export function acceptIncomingBaggage(context: Context, entries: ReadonlyArray<readonly [string, string]>): Context {
  let result = context;
  const kept: Record<string, { value: string }> = {};
  let any = false;
  for (const [key, value] of entries) {
    if (key === TENANT_BAGGAGE_KEY) {
      result = result.setValue(RECEIVED_TENANT, value.slice(0, MAX_RECEIVED_TENANT));
    } else {
      kept[key] = { value };
      any = true;
    }
  }
  return any ? propagation.setBaggage(result, propagation.createBaggage(kept)) : result;
}

/**
 * The company a merged scope view names: the user's `company_id` (set by `setUserContext({ companyId })`),
 * else a `company_id` or `tenant_id` tag. One rule for span attributes and for baggage, so they never disagree.
 */
export function tenantOf(view: {
  readonly user: Record<string, unknown>;
  readonly tags: Record<string, unknown>;
}): string | undefined {
  const company = view.user.company_id ?? view.tags.company_id ?? view.tags.tenant_id;
  return company === undefined || company === null ? undefined : String(company);
}
