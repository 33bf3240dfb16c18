/**
 * Sends one test log record to each logs backend, as start() sends them: the collector through the OTLP log
 * exporter built from the same settings, Sentry as a `log` envelope item to its envelope endpoint. The record
 * carries a trace id of its own, reported so the user can find it.
 */
import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { serializeEnvelope } from '../../telemetry/common/sentry-core.js';
import { createOtlpLogsExporter } from '../../telemetry/logs/otlp-logs-exporter.js';
import { logEnvelope, toSentryLog } from '../../telemetry/logs/sentry-logs-exporter.js';
import type { TelemetryConfig } from '../../telemetry/common/types.js';
import { describeFailure, probeHttp } from './http-probe.js';
import { envelopeUrl, sentryAuthHeader } from './reachability.js';
import { exportOnce } from './test-span.js';
import { check, type CheckResult } from './types.js';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '../../telemetry/common/semconv.js';

const BODY = 'otel-sentry-bridge doctor: test log record';

/** One record, made by the real logs SDK so the exporters serialise it as they would any other. */
function makeTestRecord(config: TelemetryConfig): ReadableLogRecord {
  let emitted: ReadableLogRecord | undefined;
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.serviceName,
      [ATTR_SERVICE_VERSION]: config.release,
      [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
    }),
    processors: [{ onEmit: (record) => void (emitted = record), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const spanContext = {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    traceFlags: 1,
  };
  provider.getLogger('otel-sentry-bridge-doctor').emit({
    severityNumber: 9,
    severityText: 'INFO',
    body: BODY,
    attributes: { 'otel_sentry_bridge.doctor': true },
    context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
  });
  if (emitted === undefined) throw new Error('the test log record was not emitted');
  return emitted;
}

async function toCollector(
  config: TelemetryConfig,
  record: ReadableLogRecord,
  traceId: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const id = 'send.log.otlp';
  const url = config.logs.otlp.url ?? '';
  const { exporter } = await createOtlpLogsExporter({ ...config.logs.otlp, url });
  const outcome = await exportOnce(exporter, record, timeoutMs);
  await Promise.race([exporter.shutdown().catch(() => {}), new Promise((r) => setTimeout(r, 200).unref())]);
  if (outcome === 'timeout') {
    return check(id, 'fail', `test log record not exported to the collector: no answer within ${timeoutMs} ms`, {
      fix: 'The collector hangs, or refuses and the exporter kept retrying: see reach.collector.logs.',
    });
  }
  if (outcome.code !== ExportResultCode.SUCCESS) {
    return check(
      id,
      'fail',
      `test log record not exported to the collector: ${outcome.error?.message ?? 'export failed'}`,
      {
        fix: 'See reach.collector.logs; a collector without a logs pipeline answers 404 or drops them.',
      },
    );
  }
  return check(id, 'ok', `test log record exported to the collector, trace id ${traceId}`, {
    details: { trace_id: traceId, where: `your logs backend (Loki, Elasticsearch...): search trace id ${traceId}` },
  });
}

async function toSentry(
  config: TelemetryConfig,
  record: ReadableLogRecord,
  traceId: string,
  timeoutMs: number,
): Promise<CheckResult> {
  const id = 'send.log.sentry';
  const dsn = config.sentry.dsn;
  if (dsn === undefined) return check(id, 'warn', 'no test log record sent to Sentry: SENTRY_DSN is not set');
  const common = {
    [ATTR_SERVICE_NAME]: config.serviceName,
    'sentry.release': config.release,
    'sentry.environment': config.environment,
  };
  const outcome = await probeHttp({
    url: envelopeUrl(dsn),
    method: 'POST',
    body: serializeEnvelope(logEnvelope([toSentryLog(record, common, traceId)])),
    headers: { 'content-type': 'application/x-sentry-envelope', 'x-sentry-auth': sentryAuthHeader(dsn) },
    timeoutMs,
  });
  if (outcome.kind !== 'answer') {
    return check(id, 'fail', `test log record not delivered to Sentry: ${describeFailure(outcome, timeoutMs)}`, {
      fix: 'See reach.sentry.envelope: logs go to the same endpoint as errors.',
    });
  }
  if (outcome.status >= 200 && outcome.status < 300) {
    return check(id, 'ok', `test log record sent to Sentry Logs, trace id ${traceId} (HTTP ${outcome.status})`, {
      details: { trace_id: traceId, where: `Sentry > Explore > Logs, search trace:${traceId}` },
    });
  }
  return check(id, 'fail', `test log record refused by Sentry: HTTP ${outcome.status}`, {
    fix: outcome.status === 429 ? 'The project is rate limited or over its logs quota.' : 'See reach.sentry.envelope.',
  });
}

export async function testLogChecks(config: TelemetryConfig, timeoutMs: number): Promise<CheckResult[]> {
  if (config.tracingDisabled || config.logs.level === 'off') return [];
  const record = makeTestRecord(config);
  const traceId = record.spanContext?.traceId ?? '';
  const sends: Array<Promise<CheckResult>> = [];
  if (config.exporters.includes('otlp') && config.logs.otlp.url !== undefined)
    sends.push(toCollector(config, record, traceId, timeoutMs));
  if (config.exporters.includes('sentry') && config.sentry.dsn !== undefined)
    sends.push(toSentry(config, record, traceId, timeoutMs));
  return Promise.all(sends);
}
