/**
 * One bounded batch pipeline per exporter. It replaces the SDK's BatchSpanProcessor because the layer must
 * account for every span (created = exported + dropped, always) and say so when a backend fails: the stock
 * processor drops silently when its queue is full and reports failures only through a diag logger. The queue,
 * the counts and the warning are the same for log records (logs/log-pipeline.ts); only what enters differs.
 */
import { context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { FailureReporter } from '../common/failure-reporter.js';
import type { BatchConfig } from '../common/types.js';
import { ExportFailure } from './otlp/http-transport.js';
import type { BatchExporter, ExportBatch, SpanBatch } from './span-batch.js';

export interface PipelineStats {
  /** Sampled spans (or log records) handed to this pipeline. */
  received: number;
  exported: number;
  /** Dropped because the queue was full, the export failed, shutdown ran out of time, or a limit refused them. */
  dropped: number;
  /**
   * Of `dropped`: refused at the door by a limit the operator set (TELEMETRY_LOGS_RATE_LIMIT), not lost in
   * delivery, so an exit or a flush does not count them as undelivered.
   */
  refused: number;
  /** Waiting in the queue or in an export that has not answered yet. */
  pending: number;
}

/** What an exporter lost over the process's life, for the shutdown report. */
export interface PipelineLosses {
  dropped: number;
  /** The last export failure (or, without one, the last reason spans were dropped). */
  lastCause?: string;
}

type DropCause = 'queue full' | 'export failed' | 'other';

/**
 * Writes one warning per exporter at most once per interval, with the spans dropped since the last one and the
 * last export failure's cause: with a backend down, most drops are queue-full drops, and "queue full" alone hides
 * the refused connection, the timeout or the 429 that filled the queue.
 */
export class SpanFailureReporter {
  private readonly since: Record<DropCause, number> = { 'queue full': 0, 'export failed': 0, other: 0 };
  private queueFullReason = '';
  private otherReason = '';

  constructor(
    private readonly exporterName: string,
    private readonly target: string | undefined,
    private readonly reporter: FailureReporter = new FailureReporter(),
    /** What the pipeline carries, singular (`span`, `log record`). */
    private readonly unit = 'span',
  ) {}

  /**
   * `failure`: the cause of the export failure still current (none after a success); `reason`: why these spans
   * were dropped. `defer`: hold the warning back until the export in flight answers, which names the cause.
   */
  report(dropped: number, reason: string, cause: DropCause, failure: string | undefined, defer = false): void {
    this.since[cause] += dropped;
    if (cause === 'queue full') this.queueFullReason = reason;
    if (cause === 'other') this.otherReason = reason;
    if (!defer) this.flush(failure ?? reason);
  }

  /** Writes the warning for the drops held so far, unless one was written lately. */
  flush(cause: string): void {
    const total = this.since['queue full'] + this.since['export failed'] + this.since.other;
    if (total === 0) return;
    const written = this.reporter.report((nextInS) => {
      const parts = [
        this.since['export failed'] > 0 ? `${this.since['export failed']} in failed exports` : '',
        this.since['queue full'] > 0 ? `${this.since['queue full']} ${this.queueFullReason}` : '',
        this.since.other > 0 ? `${this.since.other} ${this.otherReason}` : '',
      ].filter(Boolean);
      return (
        `otel-sentry-bridge: exporter "${this.exporterName}" failed (${cause}); ${total} ${this.unit}(s) dropped` +
        ` since the last warning (${parts.join(', ')})${this.target ? `; endpoint ${this.target}` : ''}.` +
        ` Next warning in at most ${nextInS} s.`
      );
    });
    if (written) this.since['queue full'] = this.since['export failed'] = this.since.other = 0;
  }
}

/** The stock exporters' words for "retries ran out on retryable answers" (gRPC and http/json still use them). */
const RETRYABLE_STATUS = 'Export failed with retryable status';

function describeError(result: ExportResult): string {
  const error = result.error;
  if (!error) return 'export failed';
  // The layer's OTLP/HTTP transport names the cause itself (otlp-http-transport.ts).
  if (error instanceof ExportFailure) return error.message;
  if (error.message === RETRYABLE_STATUS) {
    return 'the backend kept answering a retryable status (429 rate limited, 502, 503 or 504) until the retries ran out';
  }
  const code = (error as { code?: unknown }).code;
  return `${error.message || error.name}${typeof code === 'number' || typeof code === 'string' ? ` (${String(code)})` : ''}`;
}

/**
 * Exports of one pipeline that may wait for their answers at once. Each holds one batch beyond the queue's bound
 * (maxExportBatchSize spans): 4 x 1024 spans of memory at most.
 */
const MAX_CONCURRENT_EXPORTS = 4;

/** What the lifecycle flushes, counts and gives up on at shutdown, whatever the pipeline carries. */
export interface Pipeline {
  readonly name: string;
  /** What it carries, singular (`span`, `log record`), for the exit lines. */
  readonly unit: string;
  stats(): PipelineStats;
  losses(): PipelineLosses;
  forceFlush(): Promise<void>;
  abandon(): number;
}

/** The bounded queue, its batches, exports and counts, for items of type T (spans, log records). */
export class BatchPipeline<T, B extends ExportBatch<T>> implements Pipeline {
  /** The batch items are added to, and the full ones waiting for their turn. */
  private filling: B | undefined;
  private full: B[] = [];
  /** Items in `filling` and `full`. */
  private queued = 0;
  /** Items in exports that have not answered yet, and those exports. */
  private inFlight = 0;
  private readonly inFlightExports = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  /** The backend asked (Retry-After) not to be sent anything before this time; only a flush sends earlier. */
  private resumeAt = 0;
  private resumeTimer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  /** Set once shutdown gave up on the backend: late answers no longer change the counts. */
  private abandoned = false;
  private readonly counts = { received: 0, exported: 0, dropped: 0, refused: 0 };
  /** The last export failure over the process's life, and the one still current (cleared by a success). */
  private lastFailure: string | undefined;
  private currentFailure: string | undefined;
  private lastDropReason: string | undefined;
  private readonly reporter: SpanFailureReporter;

  constructor(
    readonly name: string,
    private readonly exporter: BatchExporter<B>,
    private readonly batch: BatchConfig,
    /** Where the items go, credentials masked, for the warnings. */
    target?: string,
    reporter?: SpanFailureReporter,
    /** What the pipeline carries, singular, for its messages. */
    readonly unit = 'span',
  ) {
    this.reporter = reporter ?? new SpanFailureReporter(name, target, undefined, unit);
  }

  stats(): PipelineStats {
    return { ...this.counts, pending: this.queued + this.inFlight };
  }

  losses(): PipelineLosses {
    const lastCause = this.lastFailure ?? this.lastDropReason;
    return { dropped: this.counts.dropped, ...(lastCause ? { lastCause } : {}) };
  }

  /** Queues one item, or counts it as dropped when the queue is full or the pipeline closed. */
  protected offer(item: T): void {
    this.counts.received++;
    if (this.closed || this.queued >= this.batch.maxQueueSize) {
      if (this.closed)
        this.drop(
          1,
          this.unit === 'span' ? 'span ended after shutdown' : `${this.unit} arrived after shutdown`,
          'other',
        );
      else this.drop(1, `queue full (${this.batch.maxQueueSize} ${this.unit}s)`, 'queue full');
      return;
    }
    const batch = (this.filling ??= this.exporter.newBatch());
    batch.add(item);
    this.queued++;
    if (batch.size >= this.batch.maxExportBatchSize) {
      this.full.push(batch);
      this.filling = undefined;
      this.exportSoon();
    } else {
      this.schedule();
    }
  }

  private drop(items: number, reason: string, cause: DropCause): void {
    this.counts.dropped += items;
    if (cause === 'export failed') this.lastFailure = this.currentFailure = reason;
    else this.lastDropReason = reason;
    // A full queue with no failure known yet: the next export's answer says why (a refused connection, a
    // timeout, a 429), so the warning waits for it; the queue is not empty, so that answer comes.
    const defer = cause === 'queue full' && this.currentFailure === undefined;
    this.reporter.report(items, reason, cause, this.currentFailure, defer);
  }

  /** Counts items that were meant for this pipeline and refused before they reached it (a rate limit). */
  refuse(items: number, reason: string): void {
    this.counts.received += items;
    this.counts.refused += items;
    this.drop(items, reason, 'other');
  }

  /**
   * A full batch leaves on the next turn of the event loop, not inside the `span.end()` that filled it: the
   * serialisation of a whole batch would otherwise land on whichever request happened to end the 1,024th span.
   */
  private exportSoon(): void {
    if (this.immediate) return;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      this.exportFull();
    });
    this.immediate.unref();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.exportNext();
    }, this.batch.scheduledDelayMillis);
    // A pending export never keeps a finished process alive; shutdown flushes what is left.
    this.timer.unref();
  }

  /** The oldest full batch, or else the one being filled. */
  private takeBatch(): B | undefined {
    const batch = this.full.shift() ?? this.filling;
    if (batch === this.filling) this.filling = undefined;
    if (batch) this.queued -= batch.size;
    return batch;
  }

  /** Starts exports of the full batches waiting, as many as may run at once. */
  private exportFull(): void {
    while (this.full.length > 0 && this.exportNext());
  }

  /**
   * A backend that answered 429 or 503 with Retry-After gets nothing until that time: spans wait in the queue
   * (bounded, and counted as queue-full drops beyond it) instead of being sent at a backend that refuses them.
   */
  private waitForBackend(): boolean {
    const waitMs = this.resumeAt - Date.now();
    if (waitMs <= 0) return false;
    this.resumeTimer ??= setTimeout(() => {
      this.resumeTimer = undefined;
      this.exportFull();
      if (this.inFlightExports.size === 0) this.exportNext();
    }, waitMs);
    this.resumeTimer.unref();
    return true;
  }

  /**
   * Starts one export (the oldest full batch, else the one being filled) unless as many as may run at once are
   * running. A batch's export time is mostly waiting (compression in libuv's pool, the network): one export at a
   * time capped throughput at one batch per round trip, and gzip, which lengthens the round trip, made a healthy
   * backend lose spans at saturation.
   */
  private exportNext(flushing = false): boolean {
    if (this.inFlightExports.size >= MAX_CONCURRENT_EXPORTS) return false;
    if (!flushing && this.waitForBackend()) return false;
    const batch = this.takeBatch();
    if (!batch) return false;
    this.inFlight += batch.size;
    const running: Promise<void> = this.exportBatch(batch).then((ok) => {
      this.inFlightExports.delete(running);
      // abandon() counted the spans in flight as dropped and zeroed the count.
      if (this.abandoned) return;
      this.inFlight -= batch.size;
      if (ok) this.currentFailure = undefined;
      // Drops held back for this answer: named by its failure, or by the queue alone when it succeeded.
      this.reporter.flush(this.currentFailure ?? this.lastDropReason ?? 'export failed');
      if (ok) {
        this.counts.exported += batch.size - batch.lost;
        if (batch.lost > 0) this.drop(batch.lost, batch.lostReason ?? `${this.unit}s could not be encoded`, 'other');
      }
      if (this.full.length > 0) this.exportFull();
      else if (this.filling) this.schedule();
    });
    this.inFlightExports.add(running);
    return true;
  }

  private exportBatch(batch: B): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const settle = (ok: boolean, reason?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        if (!ok && !this.abandoned) this.drop(batch.size, reason ?? 'export failed', 'export failed');
        resolve(ok);
      };
      const timeout = setTimeout(
        () => settle(false, `timeout: no answer within ${this.batch.exportTimeoutMillis} ms`),
        this.batch.exportTimeoutMillis,
      );
      timeout.unref();
      // The export's own HTTP request must not become a span of the user's trace.
      const send = (): void =>
        context.with(suppressTracing(context.active()), () => {
          try {
            this.exporter.export(batch, (result) => {
              const retryAfterMs = result.error instanceof ExportFailure ? result.error.retryAfterMs : undefined;
              if (retryAfterMs !== undefined) this.resumeAt = Math.max(this.resumeAt, Date.now() + retryAfterMs);
              settle(result.code === ExportResultCode.SUCCESS, describeError(result));
            });
          } catch (error) {
            settle(false, error instanceof Error ? error.message : String(error));
          }
        });
      // Resource detectors may still be running for the first items; serialising before they settle loses them.
      const resource = batch.resource;
      if (resource?.asyncAttributesPending && resource.waitForAsyncAttributes) {
        resource.waitForAsyncAttributes().then(send, send);
      } else {
        send();
      }
    });
  }

  /** Exports everything queued so far; resolves when the queue is empty or the exporter stopped answering. */
  async forceFlush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.queued > 0 || this.inFlightExports.size > 0) {
      // A flush is the app asking now (or the shutdown's last chance): it does not wait out a Retry-After.
      if (this.queued > 0 && this.inFlightExports.size < MAX_CONCURRENT_EXPORTS) {
        this.exportNext(true);
        continue;
      }
      await Promise.race(this.inFlightExports);
    }
    // An exporter may hold spans itself (the console tree waits for a trace's late spans on an unref'd timer).
    await this.exporter.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.closed = true;
    await this.exporter.shutdown();
  }

  /** Counts whatever could not be sent as dropped: called when the shutdown budget runs out. */
  abandon(): number {
    clearTimeout(this.resumeTimer);
    const left = this.queued + this.inFlight;
    this.full = [];
    this.filling = undefined;
    this.queued = 0;
    this.inFlight = 0;
    this.closed = true;
    this.abandoned = true;
    if (left > 0) this.drop(left, 'shutdown budget ran out before they were sent', 'other');
    this.reporter.flush(this.currentFailure ?? this.lastDropReason ?? 'export failed');
    return left;
  }
}

/** The span processor: sampled spans enter when they end. */
export class ExportPipeline<B extends SpanBatch = SpanBatch>
  extends BatchPipeline<ReadableSpan, B>
  implements SpanProcessor
{
  onStart(): void {}

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & 1) === 0) return;
    this.offer(span);
  }
}
