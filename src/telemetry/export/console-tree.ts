/**
 * The development exporter: each finished local trace printed as an indented tree with durations, status and
 * the attributes a developer looks for first, and the trace's log lines under their spans. A trace is printed
 * when its local root ends; children that end earlier wait in a bounded buffer.
 */
import { SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, hrTimeToMilliseconds, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import {
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_SYSTEM_NAME,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_FULL,
  ATTR_USER_ID,
} from '../common/semconv.js';

const KEY_ATTRIBUTES = [
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_ROUTE,
  ATTR_URL_FULL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  // The layer's own name (tenant.ts), spelled here: the console exporter sits below the scopes.
  'tenant.id',
  ATTR_USER_ID,
];
/** Spans of traces whose root has not ended yet; beyond this the oldest trace is printed as it is. */
const MAX_PENDING_SPANS = 10_000;
/** How long a trace waits after its local root ended, for spans that end after it (async children). */
const GRACE_MS = 150;

function isLocalRoot(span: ReadableSpan): boolean {
  return !span.parentSpanContext || span.parentSpanContext.isRemote === true;
}

function describe(attributes: Attributes): string {
  const parts: string[] = [];
  for (const key of KEY_ATTRIBUTES) {
    const value = attributes[key];
    if (value !== undefined) parts.push(`${key}=${String(value)}`);
  }
  return parts.length > 0 ? ` {${parts.join(', ')}}` : '';
}

function renderTrace(spans: ReadableSpan[], logs: Map<string, string[]> | undefined): string {
  const byParent = new Map<string | undefined, ReadableSpan[]>();
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  for (const span of spans) {
    const parentId = span.parentSpanContext?.spanId;
    const key = parentId && ids.has(parentId) ? parentId : undefined;
    const siblings = byParent.get(key) ?? [];
    siblings.push(span);
    byParent.set(key, siblings);
  }
  const lines: string[] = [];
  const walk = (parentId: string | undefined, depth: number): void => {
    const children = (byParent.get(parentId) ?? []).sort(
      (a, b) => hrTimeToMilliseconds(a.startTime) - hrTimeToMilliseconds(b.startTime),
    );
    for (const span of children) {
      const ms = hrTimeToMilliseconds(span.duration).toFixed(1);
      const status =
        span.status.code === SpanStatusCode.ERROR
          ? ` ERROR${span.status.message ? `: ${span.status.message}` : ''}`
          : '';
      lines.push(
        `${'  '.repeat(depth)}${depth === 0 ? '' : '└ '}${span.name} ${ms} ms${status}${describe(span.attributes)}`,
      );
      for (const line of logs?.get(span.spanContext().spanId) ?? []) lines.push(`${'  '.repeat(depth + 1)}· ${line}`);
      logs?.delete(span.spanContext().spanId);
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  // Lines of spans this tree does not hold (unsampled children, spans still running).
  for (const line of [...(logs?.values() ?? [])].flat()) lines.push(`  · ${line}`);
  const traceId = spans[0]?.spanContext().traceId ?? '';
  return `trace ${traceId}\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

/** What the tree reads: the log lines of a trace by span id, taken out as the trace is printed. */
export interface LogLineSource {
  take(traceId: string): Map<string, string[]> | undefined;
}

/**
 * The lines the logs pipeline collects for the tree (logs/console-lines.ts), registered by it when the console
 * logs backend starts: the logs room builds on the export room, so the tree only knows this interface.
 */
let registeredLogLines: LogLineSource | undefined;

export function printLogLinesFrom(source: LogLineSource): void {
  registeredLogLines = source;
}

const registeredLines: LogLineSource = { take: (traceId) => registeredLogLines?.take(traceId) };

export class ConsoleTreeExporter implements SpanExporter {
  private readonly pending = new Map<string, ReadableSpan[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private pendingCount = 0;

  constructor(
    private readonly write: (text: string) => void = (text) => process.stderr.write(text),
    private readonly logLines: LogLineSource = registeredLines,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    for (const span of spans) {
      const traceId = span.spanContext().traceId;
      const trace = this.pending.get(traceId) ?? [];
      trace.push(span);
      this.pending.set(traceId, trace);
      this.pendingCount++;
      if (isLocalRoot(span)) this.printSoon(traceId);
    }
    while (this.pendingCount > MAX_PENDING_SPANS) {
      const oldest = this.pending.keys().next().value;
      if (oldest === undefined) break;
      this.print(oldest);
    }
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  private printSoon(traceId: string): void {
    clearTimeout(this.timers.get(traceId));
    const timer = setTimeout(() => this.print(traceId), GRACE_MS);
    timer.unref();
    this.timers.set(traceId, timer);
  }

  private print(traceId: string): void {
    clearTimeout(this.timers.get(traceId));
    this.timers.delete(traceId);
    const spans = this.pending.get(traceId);
    if (!spans) return;
    this.pending.delete(traceId);
    this.pendingCount -= spans.length;
    this.write(renderTrace(spans, this.logLines.take(traceId)));
  }

  async forceFlush(): Promise<void> {
    for (const traceId of Array.from(this.pending.keys())) this.print(traceId);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }
}
