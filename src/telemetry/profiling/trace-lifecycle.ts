/**
 * Sentry's `profileLifecycle: 'trace'` on OpenTelemetry spans: the profiler runs while a profiled root span is
 * active in this process and pauses when none is. A root is a local root: a span without a parent, or whose
 * parent came from another process. Every span of a profiled trace that starts in this process is marked with
 * the profiler id and thread, so each exporter carries the link. Only @opentelemetry/api types and the
 * SpanProcessor interface are used, so the processor serves the OTel JS 2.x and 3.x lines alike.
 */
import { TraceFlags, trace, type Context, type Span, type SpanContext } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { markProfiledSpan } from './attributes.js';
import type { ProfilerSession } from './session.js';

/**
 * The trace's own randomness decides, so every service with the same rate profiles the same traces: the last 8
 * hex digits of a W3C trace id are random (its random flag covers the right-most 7 bytes).
 */
export function isTraceProfiled(traceId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return Number.parseInt(traceId.slice(-8), 16) / 0x1_0000_0000 < rate;
}

/** How many profiled trace ids are kept for linking error events: a bound on memory. */
const RECENT_TRACES = 4096;

interface EndedSpan {
  spanContext(): SpanContext;
}

export class TraceLifecycleProcessor implements SpanProcessor {
  /** Profiled traces with a local root still open here, by trace id: how many of their roots are open. */
  private readonly activeTraces = new Map<string, number>();
  private readonly activeRoots = new Set<string>();
  /**
   * Recently profiled traces, oldest first: Sentry processes an error event asynchronously, often after the
   * request's root span ended, so the event's trace is looked up here rather than among the active ones.
   */
  private readonly recentTraces = new Set<string>();

  constructor(
    private readonly session: ProfilerSession,
    private readonly rate: number,
  ) {}

  /** Whether this trace was profiled in this process (among the last RECENT_TRACES profiled). */
  wasProfiled(traceId: string | undefined): boolean {
    return traceId !== undefined && this.recentTraces.has(traceId);
  }

  onStart(span: Span, parentContext: Context): void {
    const spanContext = span.spanContext();
    if ((spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return;
    const parent = trace.getSpan(parentContext)?.spanContext();
    const isLocalRoot = !parent || parent.isRemote === true || parent.traceId !== spanContext.traceId;
    const { traceId } = spanContext;
    if (isLocalRoot) {
      if (!isTraceProfiled(traceId, this.rate)) return;
      this.activeTraces.set(traceId, (this.activeTraces.get(traceId) ?? 0) + 1);
      this.activeRoots.add(spanContext.spanId);
      this.remember(traceId);
      this.session.resume();
    } else if (!this.activeTraces.has(traceId)) {
      return;
    }
    markProfiledSpan(span, this.session.profilerId);
  }

  onEnd(span: EndedSpan): void {
    const { spanId, traceId } = span.spanContext();
    if (!this.activeRoots.delete(spanId)) return;
    const open = (this.activeTraces.get(traceId) ?? 1) - 1;
    if (open > 0) this.activeTraces.set(traceId, open);
    else this.activeTraces.delete(traceId);
    if (this.activeRoots.size === 0) this.session.pause();
  }

  private remember(traceId: string): void {
    this.recentTraces.delete(traceId);
    this.recentTraces.add(traceId);
    if (this.recentTraces.size > RECENT_TRACES) {
      const oldest = this.recentTraces.values().next().value;
      if (oldest !== undefined) this.recentTraces.delete(oldest);
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.session.close();
    return Promise.resolve();
  }
}
