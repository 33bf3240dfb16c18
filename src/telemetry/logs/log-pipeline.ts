/**
 * One bounded, counted pipeline per logs backend: the span pipeline's queue, batches, counts and once-a-minute
 * warning (export-pipeline.ts), fed with scrubbed log records instead of ended spans.
 */
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BatchPipeline } from '../export/pipeline.js';
import { ItemList, type BatchExporter } from '../export/span-batch.js';
import type { BatchConfig } from '../common/types.js';

/** Log records are kept as they are: small and short-lived next to spans, and every exporter takes them. */
export type LogList = ItemList<ReadableLogRecord>;

export type LogBatchExporter = BatchExporter<LogList>;

export function logListExporter(exporter: LogRecordExporter): LogBatchExporter {
  return {
    newBatch: () => new ItemList<ReadableLogRecord>(),
    export: (batch, done) => exporter.export(batch.items, done),
    shutdown: () => exporter.shutdown(),
  };
}

/** What a pipeline takes: all records, or (the console tree) only those it can show. */
export type RecordFilter = (record: Pick<ReadableLogRecord, 'spanContext'>) => boolean;

export class LogPipeline extends BatchPipeline<ReadableLogRecord, LogList> {
  constructor(
    name: string,
    exporter: LogBatchExporter,
    batch: BatchConfig,
    private readonly accepts: RecordFilter = () => true,
    /** Where the records go, credentials masked, for the warnings. */
    target?: string,
  ) {
    super(name, exporter, batch, target, undefined, 'log record');
  }

  add(record: ReadableLogRecord): void {
    if (this.accepts(record)) this.offer(record);
  }

  /** Counts a record this pipeline would have taken as dropped, for `reason` (the rate limit). */
  turnAway(record: Pick<ReadableLogRecord, 'spanContext'>, reason: string): void {
    if (this.accepts(record)) this.refuse(1, reason);
  }
}
