/**
 * The scope bridge: what Sentry's scopes hold (user, company, tags, contexts, breadcrumbs, captured errors)
 * is written onto OpenTelemetry spans, so a backend without Sentry (Jaeger, Tempo) sees the same facts.
 *
 * Spans read the scopes when they start. The local root span (the server span) starts before authentication
 * names the user, so the monitoring API pushes later changes onto the active span and its local root as well;
 * the processor keeps the span -> local root link that makes this possible without touching the OTel context.
 * What a span read and was pushed is written onto it when it ends (see PENDING).
 */
import { SpanStatusCode, trace, type AttributeValue, type Attributes, type Context, type Span as ApiSpan } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { getGlobalScope } from '@sentry/core';
import type { Breadcrumb, BreadcrumbHint, Client, Integration, Scope } from '@sentry/core';
import type { Redactor } from '../redaction/redactor.js';
import { DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT } from '../config/index.js';
import { getRuntimeConfig } from '../common/runtime.js';
import { ATTR_SENTRY_EVENT_ID, ATTR_SENTRY_LEVEL, TAG_CLASH_PREFIX } from '../common/sentry-attributes.js';
import { scopesInView } from './shared-storage.js';
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  ATTR_USER_EMAIL,
  ATTR_USER_ID,
  ATTR_USER_ROLES,
} from '../common/semconv.js';
import { ATTR_TENANT_RECEIVED_ID, receivedTenantOf, tenantOf } from './tenant.js';
import type { SentryLevel, TelemetryConfig } from '../common/types.js';

export const ATTR_TENANT_ID = 'tenant.id';
export const SCOPE_BRIDGE_INTEGRATION_NAME = 'OtelScopeBridge';
/** The breadcrumb hint key under which the monitoring API names the span a breadcrumb belongs to. */
export const BREADCRUMB_SPAN_HINT = 'otelSpan';

/** Contexts Sentry fills itself: they describe the SDK or the trace, not the request. */
const SENTRY_OWNED_CONTEXTS = new Set(['trace', 'otel', 'flags', 'response', 'state', 'os', 'runtime', 'app', 'device', 'culture', 'cloud_resource']);
/**
 * Breadcrumbs recorded from I/O callbacks: their async context is the keep-alive socket's, which may belong to
 * another request, so only their scope (fixed by the recorder) is trusted, never the active span. Their spans
 * exist anyway (HTTP client spans).
 */
const IO_BREADCRUMB_CATEGORIES = new Set(['http', 'fetch', 'xhr']);

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

export interface ScopeView {
  user: Record<string, unknown>;
  tags: Record<string, unknown>;
  contexts: Record<string, unknown>;
}

/** User, tags and contexts as an event captured now would carry them (global < isolation < current). */
function readScopes(global: Scope, isolation: Scope, current: Scope): ScopeView {
  const view: ScopeView = { user: {}, tags: {}, contexts: {} };
  for (const scope of [global, isolation, current]) {
    const data = scope.getScopeData();
    Object.assign(view.user, data.user);
    Object.assign(view.tags, data.tags);
    Object.assign(view.contexts, data.contexts);
  }
  return view;
}

function toAttributeValue(value: unknown): AttributeValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  try {
    return JSON.stringify(value);
  } catch {
    // A cycle or a BigInt in a tag or context value: no JSON form, so its string form instead.
    return String(value);
  }
}

/** Scope data as span attributes; tags apart, because their clash rule differs (see `writePending`). */
interface ScopeAttributes {
  /** User, tenant and context attributes. */
  readonly attributes: Attributes;
  readonly tags: Attributes;
}

/**
 * `prefix.key` attribute names (`context.field`, `data.field`), one string per pair while the pairs stay few. A
 * merge runs at every scope change the monitoring API makes (about ten per request on the support service's
 * ingest path) and every breadcrumb becomes an event, and a name joined anew is a new string each time: a
 * property store or load with it first looks it up in V8's string table, at the merge and again at every span
 * that writes the merge. Bounded, because the keys are the application's and may be unbounded (ids as keys).
 */
const JOINED_KEY_LIMIT = 1024;
const joinedKeys = new Map<string, Map<string, string>>();
let joinedKeyCount = 0;

function joinedKey(prefix: string, key: string): string {
  let keys = joinedKeys.get(prefix);
  if (keys === undefined) joinedKeys.set(prefix, (keys = new Map()));
  let joined = keys.get(key);
  if (joined === undefined) {
    if (++joinedKeyCount > JOINED_KEY_LIMIT) {
      joinedKeys.clear();
      joinedKeyCount = 1;
      joinedKeys.set(prefix, (keys = new Map()));
    }
    joined = `${prefix}.${key}`;
    keys.set(key, joined);
  }
  return joined;
}

// for...in with own-key checks, not Object.entries: this runs at every scope change, and the entry arrays were
// most of its cost.
function scopeAttributes(view: ScopeView, sendDefaultPii: boolean): ScopeAttributes {
  const attributes: Attributes = {};
  const { user, contexts } = view;
  const id = toAttributeValue(user.id);
  if (id !== undefined) attributes[ATTR_USER_ID] = String(id);
  if (sendDefaultPii && typeof user.email === 'string') attributes[ATTR_USER_EMAIL] = user.email;
  const role = user.role ?? user.roles;
  if (typeof role === 'string') attributes[ATTR_USER_ROLES] = [role];
  else if (Array.isArray(role)) attributes[ATTR_USER_ROLES] = role.map(String);
  const company = tenantOf(view);
  if (company !== undefined) attributes[ATTR_TENANT_ID] = company;
  for (const name in contexts) {
    const data = contexts[name];
    if (!Object.hasOwn(contexts, name) || SENTRY_OWNED_CONTEXTS.has(name) || data === null || typeof data !== 'object') continue;
    const fields = data as Record<string, unknown>;
    for (const key in fields) {
      const attr = Object.hasOwn(fields, key) ? toAttributeValue(fields[key]) : undefined;
      if (attr !== undefined) attributes[joinedKey(name, key)] = attr;
    }
  }
  const tags: Attributes = {};
  for (const key in view.tags) {
    const attr = Object.hasOwn(view.tags, key) ? toAttributeValue(view.tags[key]) : undefined;
    if (attr !== undefined) tags[key] = attr;
  }
  return { attributes, tags };
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

function hasOwnKeys(record: object | undefined): boolean {
  if (record === undefined) return false;
  for (const key in record) if (Object.hasOwn(record, key)) return true;
  return false;
}

function holdsData(scope: Scope): boolean {
  const data = scope.getScopeData();
  return hasOwnKeys(data.user) || hasOwnKeys(data.tags) || hasOwnKeys(data.contexts);
}

/**
 * What the bridge remembers about one Sentry scope, on the scope itself (a symbol property) until its next
 * change: Sentry notifies scope listeners on every `set*`, and a clone is a new object without the property.
 * Span starts are frequent and scope changes rare: `getScopeData()` builds a fourteen-field object per call, and
 * merging three scopes into attributes for every span of a request was the bridge's largest cost.
 */
interface ScopeMemo {
  generation: number;
  holdsData: boolean | undefined;
  /** On the current scope: the merged attributes of the three scopes, valid while no generation moved. */
  merged?: MergedAttributes;
}
interface MergedAttributes {
  isolation: Scope;
  global: Scope;
  generations: [number, number, number];
  sendDefaultPii: boolean;
  attributes: ScopeAttributes;
}
const MEMO = Symbol('otel-sentry-bridge.scopeMemo');
type WithMemo = Scope & { [MEMO]?: ScopeMemo };

function memoOf(scope: Scope): ScopeMemo {
  const carrier = scope as WithMemo;
  let memo = carrier[MEMO];
  if (memo === undefined) {
    const fresh: ScopeMemo = { generation: 0, holdsData: undefined };
    let lastBreadcrumb = scope.getLastBreadcrumb();
    scope.addScopeListener(() => {
      // Breadcrumbs change a request's scope more often than anything else, and they are not span attributes.
      // Each scope change notifies once, and only addBreadcrumb brings a new last one (clearBreadcrumbs empties it).
      const last = scope.getLastBreadcrumb();
      const breadcrumbAdded = last !== undefined && last !== lastBreadcrumb;
      lastBreadcrumb = last;
      if (breadcrumbAdded) return;
      fresh.generation++;
      fresh.holdsData = undefined;
    });
    carrier[MEMO] = fresh;
    memo = fresh;
  }
  return memo;
}

function memoHoldsData(memo: ScopeMemo, scope: Scope): boolean {
  memo.holdsData ??= holdsData(scope);
  return memo.holdsData;
}

/**
 * The scope attributes a span starting now gets, or undefined when every scope is empty (most spans: they skip
 * the merge and its allocations). The merge is remembered until one of the three scopes changes.
 */
function currentScopeAttributes(sendDefaultPii: boolean): ScopeAttributes | undefined {
  // Read without making a request's deferred scopes: every span start passes here.
  const { scope: current, isolationScope: isolation } = scopesInView();
  const global = getGlobalScope();
  const c = memoOf(current);
  const i = memoOf(isolation);
  const g = memoOf(global);
  if (!memoHoldsData(c, current) && !memoHoldsData(i, isolation) && !memoHoldsData(g, global)) return undefined;
  const merged = c.merged;
  if (
    merged !== undefined &&
    merged.isolation === isolation &&
    merged.global === global &&
    merged.sendDefaultPii === sendDefaultPii &&
    merged.generations[0] === c.generation &&
    merged.generations[1] === i.generation &&
    merged.generations[2] === g.generation
  ) {
    return merged.attributes;
  }
  const attributes = scopeAttributes(readScopes(global, isolation, current), sendDefaultPii);
  c.merged = { isolation, global, generations: [c.generation, i.generation, g.generation], sendDefaultPii, attributes };
  return attributes;
}

/** The company the current scopes name (see tenant.ts), from the same remembered merge as span attributes. */
export function currentTenant(sendDefaultPii: boolean): string | undefined {
  const tenant = currentScopeAttributes(sendDefaultPii)?.attributes[ATTR_TENANT_ID];
  return typeof tenant === 'string' ? tenant : undefined;
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

function breadcrumbAttributes(breadcrumb: Breadcrumb): Attributes {
  const attributes: Attributes = {};
  if (breadcrumb.category !== undefined) attributes.category = breadcrumb.category;
  if (breadcrumb.level !== undefined) attributes.level = breadcrumb.level;
  if (breadcrumb.message !== undefined) attributes.message = breadcrumb.message;
  if (breadcrumb.type !== undefined) attributes.type = breadcrumb.type;
  const data = breadcrumb.data;
  for (const key in data) {
    const attr = Object.hasOwn(data, key) ? toAttributeValue(data[key]) : undefined;
    if (attr !== undefined) attributes[joinedKey('data', key)] = attr;
  }
  return attributes;
}

export function addBreadcrumbEvent(span: ApiSpan, breadcrumb: Breadcrumb): void {
  if (span.isRecording()) span.addEvent('breadcrumb', breadcrumbAttributes(breadcrumb));
}

/**
 * The Sentry side of the bridge: every breadcrumb that passed `beforeBreadcrumb` becomes a `breadcrumb` event.
 * The span is the one the monitoring API named, else the active span, except for I/O breadcrumbs whose
 * async context cannot be trusted (see IO_BREADCRUMB_CATEGORIES).
 */
export function scopeBridgeIntegration(_config?: Pick<TelemetryConfig, 'sentry'>): Integration {
  return {
    name: SCOPE_BRIDGE_INTEGRATION_NAME,
    // After every integration's setup, so this listener runs last: the span event is made from the breadcrumb as
    // the others (the layer's scrubbing) left it, whatever the order of the integrations.
    afterAllSetup(client: Client): void {
      client.on('beforeAddBreadcrumb', (breadcrumb: Breadcrumb, hint?: BreadcrumbHint) => {
        const named = hint?.[BREADCRUMB_SPAN_HINT] as ApiSpan | undefined;
        const span = named ?? (IO_BREADCRUMB_CATEGORIES.has(breadcrumb.category ?? '') ? undefined : trace.getActiveSpan());
        if (span !== undefined) addBreadcrumbEvent(span, breadcrumb);
      });
    },
  };
}

/** The limit the config parsed (the SDK cuts span attributes at the same length); the default before start(). */
function attributeLengthLimit(): number {
  return getRuntimeConfig()?.attributeValueLengthLimit ?? DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT;
}

/** `extra` as `extra.<key>` attributes: strings, numbers and booleans as they are, anything else as JSON. */
export function extraAttributes(extra: Record<string, unknown> | undefined, redactor: Redactor): Attributes {
  const attributes: Attributes = {};
  if (extra === undefined) return attributes;
  const limit = attributeLengthLimit();
  for (const [key, raw] of Object.entries(extra)) {
    const value = redactor.scrubValue(raw, key);
    if (value === undefined) continue;
    if (typeof value === 'number' || typeof value === 'boolean') {
      attributes[`extra.${key}`] = value;
      continue;
    }
    let text: string;
    try {
      text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
    } catch {
      // A cycle or a BigInt: no JSON form, so the value's own string form (a throw from that reaches safely()).
      text = String(value);
    }
    attributes[`extra.${key}`] = text.length > limit ? text.slice(0, limit) : text;
  }
  return attributes;
}

function tagAttributes(tags: Record<string, unknown> | undefined): Attributes {
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(tags ?? {})) {
    const attr = toAttributeValue(value);
    if (attr !== undefined) attributes[`${TAG_CLASH_PREFIX}${key}`] = attr;
  }
  return attributes;
}

export interface CapturedOnSpan {
  level: SentryLevel;
  eventId: string;
  tags?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

function errorParts(error: unknown): { type: string; message: string; stack?: string } {
  if (error instanceof Error) return { type: error.name, message: error.message, ...(error.stack !== undefined ? { stack: error.stack } : {}) };
  return { type: typeof error, message: typeof error === 'string' ? error : (toAttributeValue(error)?.toString() ?? String(error)) };
}

/** The exception event (OTel's `exception` convention plus the Sentry event id); ERROR status for error/fatal. */
export function recordCapturedException(span: ApiSpan, error: unknown, captured: CapturedOnSpan, redactor: Redactor): void {
  if (!span.isRecording()) return;
  const { type, message, stack } = errorParts(error);
  span.addEvent('exception', {
    [ATTR_EXCEPTION_TYPE]: type,
    [ATTR_EXCEPTION_MESSAGE]: redactor.scrubString(message),
    ...(stack !== undefined ? { [ATTR_EXCEPTION_STACKTRACE]: redactor.scrubString(stack) } : {}),
    [ATTR_SENTRY_LEVEL]: captured.level,
    [ATTR_SENTRY_EVENT_ID]: captured.eventId,
    ...tagAttributes(captured.tags),
    ...extraAttributes(captured.extra, redactor),
  });
  if (captured.level === 'error' || captured.level === 'fatal') {
    span.setStatus({ code: SpanStatusCode.ERROR, message: redactor.scrubString(message) });
  }
}

export function recordCapturedMessage(span: ApiSpan, message: string, captured: CapturedOnSpan, redactor: Redactor): void {
  if (!span.isRecording()) return;
  span.addEvent('message', {
    message: redactor.scrubString(message),
    [ATTR_SENTRY_LEVEL]: captured.level,
    [ATTR_SENTRY_EVENT_ID]: captured.eventId,
    ...tagAttributes(captured.tags),
    ...extraAttributes(captured.extra, redactor),
  });
}

