/**
 * Sends one test span through each configured exporter, built exactly as start() builds them, and reports
 * each exporter's own answer with the trace id to look for.
 */
import { SpanKind } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { createExporters, type NamedExporter } from '../../telemetry/export/exporters.js';
import type { BatchExporter, ExportBatch } from '../../telemetry/export/span-batch.js';
import type { TelemetryConfig } from '../../telemetry/common/types.js';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '../../telemetry/common/semconv.js';
import { check, type CheckResult } from './types.js';

/** One ended span, made by the real SDK so the exporters serialise it as they would any other. */
function makeTestSpan(config: TelemetryConfig): ReadableSpan {
  let ended: ReadableSpan | undefined;
  const capture: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => {
      ended = span;
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: config.serviceName,
      [ATTR_SERVICE_VERSION]: config.release,
      [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
    }),
    spanProcessors: [capture],
  });
  const span = provider.getTracer('otel-sentry-bridge-doctor').startSpan('otel-sentry-bridge doctor test span', {
    kind: SpanKind.INTERNAL,
    attributes: { 'otel_sentry_bridge.doctor': true },
  });
  span.end();
  if (!ended) throw new Error('the test span did not end');
  return ended;
}

/** One item through one exporter, as a pipeline would send it: the exporter's answer, or `timeout`. */
export function exportOnce<T, B extends ExportBatch<T>>(
  exporter: BatchExporter<B>,
  item: T,
  timeoutMs: number,
): Promise<ExportResult | 'timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    timer.unref();
    try {
      const batch = exporter.newBatch();
      batch.add(item);
      exporter.export(batch, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    } catch (error) {
      clearTimeout(timer);
      resolve({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  });
}

function whereToLook(name: NamedExporter['name'], traceId: string): string {
  if (name === 'sentry') return `Sentry > Explore > Traces, search trace:${traceId}`;
  if (name === 'otlp') return `your collector's backend (Jaeger/Tempo: search trace id ${traceId})`;
  return 'the tree printed on stderr above';
}

export async function testSpanChecks(config: TelemetryConfig, timeoutMs: number): Promise<CheckResult[]> {
  if (config.tracingDisabled || config.exporters.length === 0) return [];
  let exporters: NamedExporter[];
  try {
    exporters = await createExporters(config);
  } catch (error) {
    return [
      check(
        'send.span',
        'fail',
        `exporters cannot be built: ${error instanceof Error ? error.message : String(error)}`,
      ),
    ];
  }
  const span = makeTestSpan(config);
  const { traceId, spanId } = span.spanContext();
  const results = await Promise.all(
    exporters.map(async (named): Promise<CheckResult> => {
      const id = `send.span.${named.name}`;
      const outcome = await exportOnce(named.exporter, span, timeoutMs);
      // A hanging backend must not hold the command: give shutdown a short slice and move on.
      await Promise.race([named.exporter.shutdown().catch(() => {}), new Promise((r) => setTimeout(r, 200).unref())]);
      if (outcome === 'timeout') {
        return check(id, 'fail', `test span not exported by "${named.name}": no answer within ${timeoutMs} ms`, {
          fix: 'The backend hangs, or refuses and the exporter kept retrying: see the reachability checks.',
        });
      }
      if (outcome.code !== ExportResultCode.SUCCESS) {
        return check(
          id,
          'fail',
          `test span not exported by "${named.name}": ${outcome.error?.message ?? 'export failed'}`,
          {
            fix: 'See the reachability checks for this backend.',
          },
        );
      }
      return check(id, 'ok', `test span exported by "${named.name}", trace id ${traceId}`, {
        details: { trace_id: traceId, span_id: spanId, where: whereToLook(named.name, traceId) },
      });
    }),
  );
  return results;
}
