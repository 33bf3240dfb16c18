/**
 * The monitoring API the support system's code uses (the TypeScript form of its Python module). Every call goes
 * to Sentry's scopes and, through the scope bridge, onto the OpenTelemetry spans, so the same facts reach Sentry
 * and any OTLP backend. Telemetry must never break the caller: scope and capture calls swallow their own
 * failures, while span helpers pass the caller's results and errors through untouched.
 */
import { SpanStatusCode, trace, type Attributes, type Link, type Span, type SpanOptions } from '@opentelemetry/api';
import * as Sentry from '../common/sentry-core.js';
import { scrubBreadcrumb } from '../redaction/event-filters.js';
import { redactorFor, type Redactor } from '../redaction/redactor.js';
import { race } from '../lifecycle/shutdown.js';
import { reportInternalError } from '../common/internal-errors.js';
import { getRuntimeConfig } from '../common/runtime.js';
import { ATTR_ERROR_TYPE } from '../common/semconv.js';
import { ATTR_SENTRY_OP } from '../common/sentry-attributes.js';
import {
  addBreadcrumbEvent,
  BREADCRUMB_SPAN_HINT,
  SCOPE_BRIDGE_INTEGRATION_NAME,
} from '../scopes/breadcrumb-events.js';
import { recordCapturedException, recordCapturedMessage } from '../scopes/captured-on-span.js';
import { bridgeScopesToActiveSpan } from '../scopes/scope-to-span.js';
import type { SentryLevel, TelemetryConfig } from '../common/types.js';

export type Primitive = string | number | boolean;

export interface CaptureOptions {
  level?: SentryLevel;
  tags?: Record<string, Primitive>;
  extra?: Record<string, unknown>;
}

export interface UserContext {
  userId?: string;
  email?: string;
  companyId?: string;
  role?: string;
}

export interface BreadcrumbInput {
  message?: string;
  category?: string;
  level?: SentryLevel;
  data?: Record<string, unknown>;
}

/** What `startSpan` (and its alias `startTransaction`) starts. */
export interface StartSpanOptions {
  name: string;
  /** Sentry's span operation (`sentry.op`), e.g. `http.server`, `task`, `db.query`. */
  op?: string;
  /** Start a new trace (a root span linked to the current span) instead of a child of the active span. */
  newTrace?: boolean;
  attributes?: Attributes;
}

/** @deprecated Since 0.2.0: use {@link StartSpanOptions}; this name goes in 0.3.0. */
export type TransactionOptions = StartSpanOptions;

/** @deprecated Since 0.2.0: use {@link StartSpanOptions}; this name goes in 0.3.0. */
export type SpanInput = StartSpanOptions;

const TRACER_NAME = 'otel-sentry-bridge';

/** Errors already captured: a second capture (wrapper, then framework handler) returns the first event id. */
const capturedErrors = new WeakMap<object, string>();
/** Spans an error's `exception` event was already added to, so wrappers nested in one span record it once. */
const recordedOn = new WeakMap<object, WeakSet<Span>>();

const OFFLINE_CONFIG: Pick<TelemetryConfig, 'sentry'> = {
  sentry: { sendDefaultPii: false, trackSessions: false, debug: false, ignoreErrors: [] },
};
function activeConfig(): Pick<TelemetryConfig, 'sentry'> {
  return getRuntimeConfig() ?? OFFLINE_CONFIG;
}

function redactor(): Redactor {
  return redactorFor(activeConfig());
}

function markRecorded(error: unknown, span: Span): boolean {
  if (typeof error !== 'object' || error === null) return true;
  let spans = recordedOn.get(error);
  if (spans === undefined) {
    spans = new WeakSet();
    recordedOn.set(error, spans);
  }
  if (spans.has(span)) return false;
  spans.add(span);
  return true;
}

/** Contains a telemetry failure: the caller gets `fallback`, never an exception of ours; `site` counts it. */
function safely<T>(site: string, fallback: T, action: () => T): T {
  try {
    return action();
  } catch (error) {
    reportInternalError(`monitoring.${site}`, error);
    return fallback;
  }
}

function sentryCaptureContext(
  options: CaptureOptions,
  level: SentryLevel,
): Parameters<typeof Sentry.captureException>[1] {
  return { level, ...(options.tags ? { tags: options.tags } : {}), ...(options.extra ? { extra: options.extra } : {}) };
}

/** Sends the error to Sentry and records it on the active span; returns the Sentry event id. */
export function captureException(error: unknown, options: CaptureOptions = {}): string {
  return safely('captureException', '', () => {
    if (typeof error === 'object' && error !== null) {
      const previous = capturedErrors.get(error);
      if (previous !== undefined) return previous;
    }
    const level = options.level ?? 'error';
    const eventId = Sentry.captureException(error, sentryCaptureContext(options, level));
    if (typeof error === 'object' && error !== null) capturedErrors.set(error, eventId);
    const span = trace.getActiveSpan();
    if (span !== undefined && markRecorded(error, span)) {
      recordCapturedException(span, error, { ...options, level, eventId }, redactor());
    }
    return eventId;
  });
}

export function captureMessage(message: string, options: CaptureOptions = {}): string {
  return safely('captureMessage', '', () => {
    const level = options.level ?? 'info';
    const eventId = Sentry.captureMessage(message, sentryCaptureContext(options, level));
    const span = trace.getActiveSpan();
    if (span !== undefined) recordCapturedMessage(span, message, { ...options, level, eventId }, redactor());
    return eventId;
  });
}

function bridge(): void {
  bridgeScopesToActiveSpan(activeConfig().sentry.sendDefaultPii);
}

/** The user of the current request or job; `null` forgets it. */
export function setUserContext(user: UserContext | null): void {
  safely('setUserContext', undefined, () => {
    if (user === null) {
      Sentry.setUser(null);
      return;
    }
    const sentryUser: Record<string, string> = {};
    if (user.userId !== undefined) sentryUser.id = user.userId;
    if (user.email !== undefined) sentryUser.email = user.email;
    if (user.companyId !== undefined) sentryUser.company_id = user.companyId;
    if (user.role !== undefined) sentryUser.role = user.role;
    Sentry.setUser(sentryUser);
    bridge();
  });
}

export function setContext(name: string, data: Record<string, unknown> | null): void {
  safely('setContext', undefined, () => {
    Sentry.setContext(name, data);
    bridge();
  });
}

export function setTag(key: string, value: Primitive): void {
  safely('setTag', undefined, () => {
    Sentry.setTag(key, value);
    bridge();
  });
}

export function addBreadcrumb(breadcrumb: BreadcrumbInput): void {
  safely('addBreadcrumb', undefined, () => {
    const span = trace.getActiveSpan();
    const client = Sentry.getClient();
    // Sentry stores (and scrubs) a timestamped copy: the caller's object is never changed. The bridge
    // integration turns that copy into a span event once Sentry's filters let it through; without it (no client,
    // or an init that left the integration out) the span gets the breadcrumb directly.
    if (client?.getIntegrationByName(SCOPE_BRIDGE_INTEGRATION_NAME) !== undefined) {
      Sentry.addBreadcrumb(breadcrumb, span !== undefined ? { [BREADCRUMB_SPAN_HINT]: span } : undefined);
      return;
    }
    Sentry.addBreadcrumb(breadcrumb);
    if (span !== undefined) addBreadcrumbEvent(span, scrubBreadcrumb(breadcrumb, redactor()));
  });
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function failSpan(span: Span, error: unknown): void {
  if (markRecorded(error, span)) span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.setAttribute(ATTR_ERROR_TYPE, error instanceof Error ? error.name || 'Error' : typeof error);
}

/**
 * Runs `fn` in a new active span and ends it when `fn` returns or settles: a sync `fn` stays sync, a promise
 * is passed on with the same value, and a throw or rejection marks the span ERROR and propagates unchanged.
 */
export function runInSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => T, tracerName = TRACER_NAME): T {
  // Looked up per call: a tracer obtained before the SDK registered (or re-registered) would stay a no-op.
  return trace.getTracer(tracerName).startActiveSpan(name, options, (span) => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      failSpan(span, error);
      span.end();
      throw error;
    }
    if (!isThenable(result)) {
      span.end();
      return result;
    }
    return Promise.resolve(result).then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failSpan(span, error);
        span.end();
        throw error;
      },
    ) as T;
  });
}

function opAttributes(op: string | undefined, attributes: Attributes | undefined): Attributes {
  return op === undefined ? { ...attributes } : { ...attributes, [ATTR_SENTRY_OP]: op };
}

/**
 * Runs `fn` in a new active span: a child of the active span when there is one (the trace stays whole), else a
 * new root. With `newTrace` it is always a new root, linked to the span that was active.
 */
export function startSpan<T>(options: StartSpanOptions, fn: (span: Span) => T): T {
  const spanOptions: SpanOptions = { attributes: opAttributes(options.op, options.attributes) };
  if (options.newTrace === true) {
    spanOptions.root = true;
    const active = trace.getActiveSpan();
    if (active !== undefined) spanOptions.links = [{ context: active.spanContext() } satisfies Link];
  }
  return runInSpan(options.name, spanOptions, fn);
}

/**
 * The support system's name for {@link startSpan}, kept for its habit: the same function, the same options
 * (`newTrace: true` for the unit of work that starts a trace of its own).
 */
export function startTransaction<T>(options: StartSpanOptions, fn: (span: Span) => T): T {
  return startSpan(options, fn);
}

/** What `withIsolation` starts: its root span's name, operation (default `task`) and attributes. */
export interface IsolationOptions {
  name: string;
  op?: string;
  attributes?: Attributes;
}

/**
 * Work outside HTTP requests (jobs, queue consumers): fresh Sentry scopes and a new root span (linked to the
 * caller's span), so one job's user, tags and breadcrumbs never reach another and its errors land on its own
 * trace. A string is the span's name alone.
 */
export function withIsolation<T>(options: IsolationOptions | string, fn: (span: Span) => T): T {
  const { name, op = 'task', attributes } = typeof options === 'string' ? { name: options } : options;
  const isolationScope = new Sentry.Scope();
  const currentScope = new Sentry.Scope();
  currentScope.setClient(Sentry.getClient());
  const active = trace.getActiveSpan();
  const spanOptions: SpanOptions = { root: true, attributes: opAttributes(op, attributes) };
  if (active !== undefined) spanOptions.links = [{ context: active.spanContext() }];
  return Sentry.withIsolationScope(isolationScope, () =>
    Sentry.withScope(currentScope, () => runInSpan(name, spanOptions, fn)),
  );
}

/** True when the layer runs with a backend: Sentry with a DSN, or at least one span exporter. */
export function isEnabled(): boolean {
  const config = getRuntimeConfig();
  return config !== undefined && (config.sentry.dsn !== undefined || config.exporters.length > 0);
}

interface Flushable {
  forceFlush?: () => Promise<void>;
  getDelegate?: () => unknown;
}

/** Sends buffered spans and events; resolves false when either side did not finish within `timeoutMs`. */
export async function flush(timeoutMs = 2000): Promise<boolean> {
  const global = trace.getTracerProvider() as Flushable;
  const provider = (global.getDelegate?.() ?? global) as Flushable;
  const spans =
    typeof provider.forceFlush === 'function'
      ? race(
          provider.forceFlush().then(() => true),
          timeoutMs,
          false,
        )
      : Promise.resolve(true);
  const events = Sentry.getClient() === undefined ? Promise.resolve(true) : Sentry.flush(timeoutMs).catch(() => false);
  const [spansDone, eventsDone] = await Promise.all([spans, events]);
  return spansDone && eventsDone;
}
