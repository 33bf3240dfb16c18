/**
 * The spans this process has started and not yet ended. A process that exits on a crash would otherwise lose
 * them without a trace: the crashed request never answers, so its server span never ends. The exit paths end
 * them with an error status, so they are exported and say why they stopped.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { reportInternalError } from '../common/internal-errors.js';

/**
 * A span the app never ends would stay here for ever: past this many, the oldest open span is forgotten (it is
 * then the likeliest to be one that will never end).
 */
const MAX_OPEN = 16_384;

/**
 * An intrusive list through symbol properties, not a Set: a Set entry costs an identity hash and a table slot per
 * span, measured at 110-150 ns per span against 15-30 ns for the links (the scope bridge gives the same reason
 * for its own symbol properties). Every span gets them at the same point, so span objects keep one shape.
 */
const PREV = Symbol('otel-sentry-bridge.openPrev');
const NEXT = Symbol('otel-sentry-bridge.openNext');
const LISTED = Symbol('otel-sentry-bridge.openListed');
type Linked = Span & { [PREV]?: Linked | undefined; [NEXT]?: Linked | undefined; [LISTED]?: boolean };

export class OpenSpans implements SpanProcessor {
  /** The newest open span; the list runs from newest to oldest. */
  private head: Linked | undefined;
  private tail: Linked | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  onStart(span: Span): void {
    const linked = span as Linked;
    linked[PREV] = undefined;
    linked[NEXT] = this.head;
    linked[LISTED] = true;
    if (this.head) this.head[PREV] = linked;
    else this.tail = linked;
    this.head = linked;
    if (++this.count > MAX_OPEN && this.tail) this.unlink(this.tail);
  }

  onEnd(span: ReadableSpan): void {
    const linked = span as Linked;
    if (linked[LISTED] === true) this.unlink(linked);
  }

  private unlink(span: Linked): void {
    const prev = span[PREV];
    const next = span[NEXT];
    if (prev) prev[NEXT] = next;
    else this.head = next;
    if (next) next[PREV] = prev;
    else this.tail = prev;
    span[PREV] = undefined;
    span[NEXT] = undefined;
    span[LISTED] = false;
    this.count--;
  }

  private list(): Linked[] {
    const spans: Linked[] = [];
    for (let span = this.head; span; span = span[NEXT]) spans.push(span);
    return spans;
  }

  /**
   * Gives the open spans (of one trace, when given) an error status with `reason`, unless they have one, and
   * records `error` on them. They are not ended: the instrumentation that owns a span still ends it (a server
   * span when its connection closes), and ending it first would make it warn on every later call.
   */
  markFailed(reason: string, options: { traceId?: string; error?: unknown } = {}): number {
    let marked = 0;
    for (const span of this.list()) {
      if (options.traceId !== undefined && span.spanContext().traceId !== options.traceId) continue;
      try {
        if (options.error instanceof Error) span.recordException(options.error);
        if (span.status.code === SpanStatusCode.UNSET) span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
        marked++;
      } catch (error) {
        // A span that cannot be marked keeps its status; the others are still marked.
        reportInternalError('open-spans.markFailed', error);
      }
    }
    return marked;
  }

  /** Marks every open span as failed with `reason` and ends it: the last step before the process exits. */
  endOpen(reason: string): number {
    this.markFailed(reason);
    let ended = 0;
    for (const span of this.list()) {
      try {
        span.end();
        ended++;
      } catch (error) {
        // Left as it is; the others are still ended.
        reportInternalError('open-spans.endOpen', error);
      }
      if (span[LISTED] === true) this.unlink(span);
    }
    return ended;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    for (const span of this.list()) this.unlink(span);
    return Promise.resolve();
  }
}
