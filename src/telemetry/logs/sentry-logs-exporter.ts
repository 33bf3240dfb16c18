/**
 * Sentry Logs: `log` envelope items, the protocol Sentry's own SDKs send (@sentry/core 11.12's log container,
 * version 2), posted through the Sentry client's transport. Chosen over Sentry's OTLP logs endpoint, which is in
 * open beta and documented as lacking what the native protocol links (user, release, environment as Sentry reads
 * them): the envelope goes where errors go, with the DSN's credentials, honours Sentry's per-category rate limits
 * (`log_item`) in the transport, and uploads with tracing suppressed and a timeout (sentry-setup.ts). At most four
 * envelopes in flight per pipeline (export-pipeline.ts) leave most of the transport's 64-request buffer to error
 * events; their own ledger (sentry-events.ts) counts only `event` items, so log envelopes are counted here alone.
 */
import { hrTimeToMilliseconds, ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  createEnvelope,
  getClient,
  getCurrentScope,
  type LogEnvelope,
  type SerializedLog,
} from '../common/sentry-core.js';
import { ItemList } from '../export/span-batch.js';
import type { LogBatchExporter } from './log-pipeline.js';
import { CONSOLE_SCOPE } from './console-source.js';
import { severityName, SEVERITY_INFO } from './severity.js';
import { ATTR_EVENT_NAME } from '../common/semconv.js';

type TypedAttributes = NonNullable<SerializedLog['attributes']>;
type TypedValue = TypedAttributes[string];

/** Where Sentry says a record came from, as its own integrations name it. */
function originOf(scopeName: string): string {
  if (scopeName.includes('instrumentation-pino')) return 'auto.log.pino';
  if (scopeName.includes('winston')) return 'auto.log.winston';
  if (scopeName === CONSOLE_SCOPE) return 'auto.log.console';
  return 'auto.log.opentelemetry';
}

function typed(value: unknown): TypedValue | undefined {
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'boolean') return { type: 'boolean', value };
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return undefined;
    return Number.isInteger(value) ? { type: 'integer', value } : { type: 'double', value };
  }
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string'))
    return { type: 'array', value: value as string[] };
  if (value instanceof Uint8Array) return { type: 'string', value: Buffer.from(value).toString('base64') };
  try {
    return { type: 'string', value: JSON.stringify(value) ?? String(value) };
  } catch {
    return { type: 'string', value: String(value) };
  }
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  return typed(body)?.value.toString() ?? '';
}

/** One record in Sentry's log item shape; `fallbackTraceId` is Sentry's own trace for records outside any span. */
export function toSentryLog(
  record: ReadableLogRecord,
  common: Record<string, unknown>,
  fallbackTraceId: string,
): SerializedLog {
  const attributes: TypedAttributes = {};
  const add = (key: string, value: unknown): void => {
    const t = typed(value);
    if (t !== undefined) attributes[key] = t;
  };
  for (const key in common) add(key, common[key]);
  add('sentry.origin', originOf(record.instrumentationScope.name));
  const source = record.attributes as Record<string, unknown>;
  for (const key in source) if (Object.hasOwn(source, key)) add(key, source[key]);
  const span = record.spanContext;
  if (span !== undefined) add('sentry.trace.parent_span_id', span.spanId);
  if (record.eventName !== undefined) add(ATTR_EVENT_NAME, record.eventName);
  return {
    timestamp: hrTimeToMilliseconds(record.hrTime) / 1000,
    level: severityName(record.severityNumber),
    body: bodyText(record.body),
    trace_id: span?.traceId ?? fallbackTraceId,
    severity_number: record.severityNumber ?? SEVERITY_INFO,
    attributes,
  };
}

/** An envelope with one `log` container item, as @sentry/core 11.12 builds it. */
export function logEnvelope(items: SerializedLog[], sdk?: { name?: string; version?: string }): LogEnvelope {
  const headers =
    sdk?.name !== undefined && sdk.version !== undefined ? { sdk: { name: sdk.name, version: sdk.version } } : {};
  return createEnvelope<LogEnvelope>(headers, [
    [
      { type: 'log', item_count: items.length, content_type: 'application/vnd.sentry.items.log+json' },
      { version: 2, items },
    ],
  ]);
}

function failed(message: string): ExportResult {
  return { code: ExportResultCode.FAILED, error: new Error(message) };
}

/**
 * `resourceAttributes`: the service's resource attributes every record carries (Sentry's log items have no
 * resource of their own).
 */
export function sentryLogsExporter(resourceAttributes: Record<string, unknown>): LogBatchExporter {
  return {
    newBatch: () => new ItemList<ReadableLogRecord>(),
    export(batch, done) {
      // Looked up per export: the pipeline exists before Sentry.init, and a later init replaces the client.
      const client = getClient();
      // The transport itself, not client.sendEnvelope(), which answers a network error like a success.
      const transport = client?.getTransport();
      if (client === undefined || transport === undefined) return done(failed('Sentry is not initialised'));
      const { release, environment } = client.getOptions();
      const sdk = client.getSdkMetadata()?.sdk;
      const common: Record<string, unknown> = {
        ...resourceAttributes,
        'sentry.release': release,
        'sentry.environment': environment,
        'sentry.sdk.name': sdk?.name,
        'sentry.sdk.version': sdk?.version,
      };
      const fallbackTraceId = getCurrentScope().getPropagationContext().traceId;
      const items = batch.items.map((record) => toSentryLog(record, common, fallbackTraceId));
      transport.send(logEnvelope(items, sdk)).then(
        (response) => {
          const status = response.statusCode;
          if (status !== undefined && status >= 200 && status < 300) done({ code: ExportResultCode.SUCCESS });
          // The transport answers without a status when it did not send: Sentry's rate limit for logs is running,
          // or its request buffer is full.
          else if (status === undefined)
            done(failed('not sent: a Sentry rate limit for logs is in force, or its transport queue is full'));
          else done(failed(status === 429 ? 'rate limited by Sentry (HTTP 429)' : `Sentry answered HTTP ${status}`));
        },
        (error: unknown) => done(failed(error instanceof Error ? error.message : String(error))),
      );
    },
    shutdown: () => Promise.resolve(),
  };
}
