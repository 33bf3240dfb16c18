/**
 * The scope bridge's span processor: what Sentry's scopes hold (user, company, tags, contexts) is written onto
 * OpenTelemetry spans, so a backend without Sentry (Jaeger, Tempo) sees the same facts. Breadcrumbs and captured
 * errors reach spans through breadcrumb-events.ts and captured-on-span.ts.
 *
 * Spans read the scopes when they start. The local root span (the server span) starts before authentication
 * names the user, so the monitoring API pushes later changes onto the active span and its local root as well;
 * the processor keeps the span -> local root link that makes this possible without touching the OTel context.
 * What a span read and was pushed is written onto it when it ends (see PENDING).
 */
import { trace, type Attributes, type Context, type Span as ApiSpan } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from '../common/types.js';
import { TAG_CLASH_PREFIX } from '../common/sentry-attributes.js';
import { currentScopeAttributes, type ScopeAttributes } from './scope-attributes.js';
import { ATTR_TENANT_RECEIVED_ID, receivedTenantOf } from './tenant.js';

/**
 * Each recorded span carries its local root under this symbol. A property, not a WeakMap: the map was the
 * largest cost of a span start (a WeakMap entry per span, and ephemeron work for the garbage collector), while
 * every span gets the same property at the same point, so the SDK's span objects keep one shape.
 */
const LOCAL_ROOT = Symbol('otel-sentry-bridge.localRoot');
type WithLocalRoot = { [LOCAL_ROOT]?: Span };

function localRootOf(span: object): Span | undefined {
  return (span as WithLocalRoot)[LOCAL_ROOT];
}
/**
 * The scope attributes a span will carry, in the order it took them: what the scopes held when it started, then
 * each change the monitoring API pushed onto it while it ran. They are written when the span ends, once: a
 * request's spans share one remembered merge, so a span start costs a property write instead of a write and its
 * bookkeeping per attribute, and a pushed change costs an array entry instead of a comparison per attribute.
 * A symbol property, for the reason LOCAL_ROOT is one.
 */
const PENDING = Symbol('otel-sentry-bridge.pendingScopeAttributes');
type Pending = ScopeAttributes | ScopeAttributes[];
type WithPending = { [PENDING]?: Pending | undefined };

/** The recording local root of `span` (itself when it is one), or undefined for spans the SDK never recorded. */
function getLocalRoot(span: ApiSpan | undefined): Span | undefined {
  return span === undefined ? undefined : localRootOf(span);
}

/** Adds `attributes` to what `span` will carry; a push that changed nothing adds nothing. */
function addPending(span: Span, attributes: ScopeAttributes): void {
  const carrier = span as WithPending;
  const pending = carrier[PENDING];
  if (pending === undefined) carrier[PENDING] = attributes;
  else if (Array.isArray(pending)) {
    if (pending[pending.length - 1] !== attributes) pending.push(attributes);
  } else if (pending !== attributes) carrier[PENDING] = [pending, attributes];
}

/** Later values win, and a key a later merge no longer holds keeps the value an earlier one gave it. */
function overlay(list: ScopeAttributes[]): ScopeAttributes {
  const attributes: Attributes = {};
  const tags: Attributes = {};
  for (const merge of list) {
    Object.assign(attributes, merge.attributes);
    Object.assign(tags, merge.tags);
  }
  return { attributes, tags };
}

/**
 * Writes the scope attributes without overwriting what an instrumentation or the user set on the span: a
 * clashing tag goes to `sentry.tag.<key>`, a clashing user or context attribute is left to the span's own.
 */
function writePending(span: Span): void {
  const pending = (span as WithPending)[PENDING];
  if (pending === undefined) return;
  const { attributes, tags } = Array.isArray(pending) ? overlay(pending) : pending;
  const own = span.attributes;
  // Tags first: their clash test must see only the span's own attributes, and under a key both hold, the tag wins.
  for (const key in tags) {
    const value = tags[key];
    if (value !== undefined) span.setAttribute(own[key] === undefined ? key : `${TAG_CLASH_PREFIX}${key}`, value);
  }
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined && own[key] === undefined) span.setAttribute(key, value);
  }
}

/**
 * Pushes the current scopes onto the active span and its local root: called by the monitoring API right after
 * it changed the user, a tag or a context, so spans that started earlier (the server span) carry them too.
 */
export function bridgeScopesToActiveSpan(sendDefaultPii: boolean): void {
  const active = trace.getActiveSpan();
  const root = getLocalRoot(active);
  if (active === undefined || root === undefined) return;
  // The same remembered merge the next span starts read: one merge per scope change, not two.
  const attributes = currentScopeAttributes(sendDefaultPii);
  if (attributes === undefined) return;
  addPending(root, attributes);
  if (root !== active && localRootOf(active) !== undefined) addPending(active as unknown as Span, attributes);
}

/**
 * What a tenant claim received from an allowed peer adds to a span, shared by consecutive spans naming the same
 * claim (every span of a request does): three objects per claim change instead of three per span.
 */
let lastReceivedTenant: { tenant: string; attributes: ScopeAttributes } | undefined;

function receivedTenantAttributes(tenant: string): ScopeAttributes {
  if (lastReceivedTenant?.tenant !== tenant) {
    lastReceivedTenant = { tenant, attributes: { attributes: { [ATTR_TENANT_RECEIVED_ID]: tenant }, tags: {} } };
  }
  return lastReceivedTenant.attributes;
}

export function createScopeBridgeProcessor(config: Pick<TelemetryConfig, 'sentry'>): SpanProcessor {
  const sendDefaultPii = config.sentry.sendDefaultPii;
  return {
    onStart(span: Span, parentContext: Context): void {
      const parent = trace.getSpan(parentContext);
      const parentRoot = parent !== undefined && !parent.spanContext().isRemote ? localRootOf(parent) : undefined;
      (span as WithLocalRoot)[LOCAL_ROOT] = parentRoot ?? span;
      // A tenant id an allowed peer sent is recorded under its own name; `tenant.id` is only ever the scope's.
      const received = receivedTenantOf(parentContext);
      (span as WithPending)[PENDING] = received === undefined ? undefined : receivedTenantAttributes(received);
      const attributes = currentScopeAttributes(sendDefaultPii);
      if (attributes !== undefined) addPending(span, attributes);
    },
    onEnding(span: Span): void {
      writePending(span);
    },
    onEnd(_span: ReadableSpan): void {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
}
