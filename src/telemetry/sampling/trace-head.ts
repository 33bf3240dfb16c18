/**
 * What one sampling decision leaves behind for the rest of the local trace: sample_rand, the rate, the DSC and
 * the W3C random flag. OpenTelemetry's tracer writes only the SAMPLED bit of a span context, and every span of
 * a local trace inherits its decision point's TraceState object by identity, so the state hangs off that object
 * (a symbol property): nothing internal ever reaches a `tracestate` header or an OTLP `trace_state` field.
 */
import { createContextKey, type Context, type SpanContext, type TraceState } from '@opentelemetry/api';

/** Sentry's dynamic sampling context: `sentry-*` baggage entries without the prefix. */
export type Dsc = Record<string, string>;

export interface TraceHead {
  /** The trace this decision was made for. */
  traceId: string;
  sampled: boolean;
  sampleRand: number;
  /** The rate this service applied (Sentry's "local sample rate"), undefined when the decision was inherited. */
  localSampleRate?: number;
  /** The DSC received from upstream; undefined when this service is the head of the trace's DSC. */
  incomingDsc?: Dsc;
  /**
   * The head's DSC fields known at decision time (environment, release, keys, trace id, sampling), built on
   * first use: most traces never leave the process nor meet an error, and the DSC costs a root span's start.
   */
  headDsc?: (head: TraceHead) => Dsc;
  /** The HTTP method of the local root, so that the transaction can become `METHOD route` once routed. */
  method?: string;
  /** W3C trace-context level 2: the trace id's right part is random. */
  random: boolean;
  /** The DSC once it left the process (first injection or error): it never changes afterwards. */
  frozen?: Dsc;
}

/**
 * The head rides on its TraceState object under this symbol. A property rather than a WeakMap: a map entry per
 * sampled trace was a large share of a root span's start (and of the collector's ephemeron work). TraceState
 * serialises only its own entries, so the property never reaches a header or an export.
 */
const HEAD = Symbol('otel-sentry-bridge.traceHead');
type WithHead = { [HEAD]?: TraceHead };

export function attachTraceHead(traceState: TraceState, head: TraceHead): void {
  (traceState as WithHead)[HEAD] = head;
}

export function getTraceHead(spanContext: SpanContext | undefined): TraceHead | undefined {
  const traceState = spanContext?.traceState;
  return traceState ? (traceState as WithHead)[HEAD] : undefined;
}

/** What extract() learnt from the headers beyond the remote span context, for the sampler to decide with. */
export interface IncomingTrace {
  traceId: string;
  spanId: string;
  /** Undefined for a deferred `sentry-trace` (no `-1`/`-0` suffix). */
  parentSampled?: boolean;
  /**
   * The incoming `sentry-*` baggage, validated: the frozen DSC of the trace. Empty for a `sentry-trace` parent
   * without one; undefined for a `traceparent` parent without one (this service then heads the DSC).
   */
  dsc?: Dsc;
  random: boolean;
  /** The carrier the headers came from, for the `normalizedRequest` of `tracesSampler` (scrubbed there). */
  headers?: Readonly<Record<string, unknown>>;
}

const INCOMING_KEY = createContextKey('otel-sentry-bridge.incoming-trace');

export function setIncomingTrace(context: Context, incoming: IncomingTrace): Context {
  return context.setValue(INCOMING_KEY, incoming);
}

/** The incoming trace data, only when it describes `parent` (a stale value never leaks into another trace). */
export function getIncomingTrace(context: Context, parent: SpanContext | undefined): IncomingTrace | undefined {
  const value = context.getValue(INCOMING_KEY) as IncomingTrace | undefined;
  if (!value || !parent || value.traceId !== parent.traceId || value.spanId !== parent.spanId) return undefined;
  return value;
}
