/**
 * The spans this process has started and not yet ended. A process that exits on a crash would otherwise lose
 * them without a trace: the crashed request never answers, so its server span never ends. The exit paths end
 * them with an error status, so they are exported and say why they stopped.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * A span the app never ends would stay here for ever: past this many, the oldest open span is forgotten (it is
 * then the likeliest to be one that will never end).
 */
const MAX_OPEN = 16_384;

export class OpenSpans implements SpanProcessor {
  private readonly open = new Set<Span>();

  get size(): number {
    return this.open.size;
  }

  onStart(span: Span): void {
    if (this.open.size >= MAX_OPEN) {
      const oldest = this.open.values().next().value;
      if (oldest) this.open.delete(oldest);
    }
    this.open.add(span);
  }

  onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
  }

  /**
   * Gives the open spans (of one trace, when given) an error status with `reason`, unless they have one, and
   * records `error` on them. They are not ended: the instrumentation that owns a span still ends it (a server
   * span when its connection closes), and ending it first would make it warn on every later call.
   */
  markFailed(reason: string, options: { traceId?: string; error?: unknown } = {}): number {
    let marked = 0;
    for (const span of this.open) {
      if (options.traceId !== undefined && span.spanContext().traceId !== options.traceId) continue;
      try {
        if (options.error instanceof Error) span.recordException(options.error);
        if (span.status.code === SpanStatusCode.UNSET) span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
        marked++;
      } catch {
        // A span that cannot be marked keeps its status; the others are still marked.
      }
    }
    return marked;
  }

  /** Marks every open span as failed with `reason` and ends it: the last step before the process exits. */
  endOpen(reason: string): number {
    this.markFailed(reason);
    let ended = 0;
    // Deleting while iterating a Set is well defined; span.end() deletes through onEnd too.
    for (const span of this.open) {
      try {
        span.end();
        ended++;
      } catch {
        // Left as it is; the others are still ended.
      }
      this.open.delete(span);
    }
    return ended;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.open.clear();
    return Promise.resolve();
  }
}
