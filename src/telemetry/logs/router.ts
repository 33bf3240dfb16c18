/**
 * The one processor of the layer's LoggerProvider: decides which records leave, makes the scrubbed view once, and
 * hands it to every backend's pipeline. In order: the layer's own export traffic (emitted with tracing suppressed)
 * never enters; GenAI content goes onto its chat span, or nowhere when capture is off; then the level, the
 * sampled-only switch and the rate limit. It runs inside the app's logging call, so it never throws.
 */
import { context as api, isSpanContextValid, type Context } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { LogRecordProcessor, ReadableLogRecord, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { Redactor } from '../redaction/redactor.js';
import { foldGenAiRecord, genAiEventName } from './genai-content.js';
import type { LogPipeline } from './log-pipeline.js';
import { RateLimiter } from './rate-limit.js';
import { recordView } from './record-view.js';
import { requestAttributes } from './request-attributes.js';
import { effectiveSeverity } from './severity.js';

export interface RouterOptions {
  /** The lowest severity exported (Infinity: no application record leaves, GenAI content may still fold). */
  minimum: number;
  sampledOnly: boolean;
  /** Records per second. */
  rateLimit: number;
  captureGenAiContent: boolean;
  redactor: Redactor;
  pipelines: readonly LogPipeline[];
}

export class LogRouter implements LogRecordProcessor {
  private readonly limiter: RateLimiter;
  private readonly limitReason: string;

  constructor(private readonly options: RouterOptions) {
    this.limiter = new RateLimiter(options.rateLimit);
    this.limitReason = `over the rate limit of ${options.rateLimit} records/s (TELEMETRY_LOGS_RATE_LIMIT)`;
  }

  onEmit(record: ReadWriteLogRecord, context?: Context): void {
    try {
      this.route(record, context ?? api.active());
    } catch (error) {
      const reason = `the record could not be processed: ${error instanceof Error ? error.message : String(error)}`;
      for (const pipeline of this.options.pipelines) pipeline.turnAway(record, reason);
    }
  }

  private route(record: ReadableLogRecord, context: Context): void {
    const { options } = this;
    if (isTracingSuppressed(context)) return;
    if (genAiEventName(record) !== undefined) {
      // With capture off no GenAI record leaves: with content they would carry prompts, without it they repeat
      // what the chat span says. Known content goes onto the span; an unknown GenAI event is an ordinary record.
      if (!options.captureGenAiContent || foldGenAiRecord(record, context)) return;
    }
    if (effectiveSeverity(record.severityNumber) < options.minimum || options.pipelines.length === 0) return;
    const span = record.spanContext;
    if (options.sampledOnly && span !== undefined && isSpanContextValid(span) && (span.traceFlags & 1) === 0) return;
    if (!this.limiter.take()) {
      for (const pipeline of options.pipelines) pipeline.turnAway(record, this.limitReason);
      return;
    }
    const view = recordView(record, options.redactor, requestAttributes(context, options.redactor.sendDefaultPii));
    for (const pipeline of options.pipelines) pipeline.add(view);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.options.pipelines.map((pipeline) => pipeline.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.options.pipelines.map((pipeline) => pipeline.shutdown()));
  }
}
