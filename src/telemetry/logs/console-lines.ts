/**
 * The development tree's log lines (console-tree.ts): the records of a sampled trace wait here, by span, until
 * the tree prints their trace, and are printed under their span. Bounded like the tree's own buffer; a line for
 * a trace printed already is printed at once, on its own.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { LogLineSource } from '../export/console-tree.js';
import { ItemList } from '../export/span-batch.js';
import type { LogBatchExporter, RecordFilter } from './log-pipeline.js';
import { severityName } from './severity.js';

const MAX_PENDING_LINES = 10_000;
/** Recently printed traces, so that a late line knows its trace is gone. */
const MAX_PRINTED_TRACES = 1024;
const MAX_LINE_CHARS = 200;

function lineOf(record: ReadableLogRecord): string {
  const body = typeof record.body === 'string' ? record.body : JSON.stringify(record.body ?? '');
  const lines = body.split('\n');
  let text = lines[0] ?? '';
  if (text.length > MAX_LINE_CHARS) text = `${text.slice(0, MAX_LINE_CHARS)}...`;
  const more = lines.length > 1 ? ` (+${lines.length - 1} lines)` : '';
  return `${severityName(record.severityNumber).toUpperCase()} ${text}${more}`;
}

export class ConsoleLogLines implements LogLineSource {
  private readonly pending = new Map<string, Map<string, string[]>>();
  private readonly printed = new Set<string>();
  private count = 0;

  constructor(private readonly write: (text: string) => void = (text) => process.stderr.write(text)) {}

  add(record: ReadableLogRecord): void {
    const span = record.spanContext;
    if (span === undefined) return;
    const line = lineOf(record);
    if (this.printed.has(span.traceId)) {
      this.write(`trace ${span.traceId} (after it was printed)\n  · ${line}\n`);
      return;
    }
    let bySpan = this.pending.get(span.traceId);
    if (bySpan === undefined) this.pending.set(span.traceId, (bySpan = new Map()));
    const lines = bySpan.get(span.spanId);
    if (lines === undefined) bySpan.set(span.spanId, [line]);
    else lines.push(line);
    this.count++;
    while (this.count > MAX_PENDING_LINES) {
      const oldest = this.pending.keys().next().value;
      if (oldest === undefined) break;
      this.printAlone(oldest);
    }
  }

  take(traceId: string): Map<string, string[]> | undefined {
    this.printed.add(traceId);
    if (this.printed.size > MAX_PRINTED_TRACES) {
      const oldest = this.printed.values().next().value;
      if (oldest !== undefined) this.printed.delete(oldest);
    }
    const bySpan = this.pending.get(traceId);
    if (bySpan === undefined) return undefined;
    this.pending.delete(traceId);
    for (const lines of bySpan.values()) this.count -= lines.length;
    return bySpan;
  }

  private printAlone(traceId: string): void {
    const bySpan = this.take(traceId);
    if (bySpan === undefined) return;
    const lines = [...bySpan.values()].flat();
    this.write(`trace ${traceId} (log lines only)\n${lines.map((line) => `  · ${line}`).join('\n')}\n`);
  }

  /** Prints what waits for a trace that will not come any more. */
  flush(): void {
    for (const traceId of this.pending.keys()) this.printAlone(traceId);
  }
}

/** The one store the development tree and its logs pipeline share. */
export const treeLogLines = new ConsoleLogLines();

/** The tree shows traces it printed: records of sampled traces only. */
export const inSampledTrace: RecordFilter = (record) =>
  record.spanContext !== undefined && (record.spanContext.traceFlags & 1) === 1;

export function consoleLinesExporter(lines: ConsoleLogLines): LogBatchExporter {
  return {
    newBatch: () => new ItemList<ReadableLogRecord>(),
    export: (batch, done) => {
      for (const record of batch.items) lines.add(record);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => lines.flush(),
  };
}
