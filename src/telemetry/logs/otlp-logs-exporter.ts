/**
 * The collector's logs endpoint (`/v1/logs`), with the protocol, headers, compression and timeout of the traces
 * exporter unless OTEL_EXPORTER_OTLP_LOGS_* say otherwise (config/otlp.ts). Over HTTP (protobuf or JSON) the
 * records are serialised by OpenTelemetry's own log serializers and sent by the layer's transport, as spans are:
 * a failure keeps its HTTP status, Retry-After or network error for the warning, and the pipeline honours the
 * Retry-After (export/otlp/http-transport.ts). gRPC uses the stock exporter. Each protocol's code is imported on demand.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { OtlpLogsConfig } from '../common/types.js';
import { maskUrl } from '../config/masking.js';
import {
  CompressionAlgorithm,
  convertLegacyHttpOptions,
  createOtlpHttpExporterMetrics,
  createOtlpNetworkExportDelegate,
  loadOtlpTransformer,
  OTLPExporterBase,
} from '../export/otlp/exporter-base.js';
import { createOtlpHttpTransport } from '../export/otlp/http-transport.js';
import { logListExporter, type LogBatchExporter } from './log-pipeline.js';

export interface NamedLogExporter {
  /** Where the records go, for messages (no credentials). */
  target: string;
  exporter: LogBatchExporter;
}

export async function createOtlpLogsExporter(otlp: OtlpLogsConfig & { url: string }): Promise<NamedLogExporter> {
  const compression = otlp.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  const common = { url: otlp.url, timeoutMillis: otlp.timeoutMillis, compression };
  const target = `${maskUrl(otlp.url)} (${otlp.protocol})`;
  if (otlp.protocol === 'grpc') {
    const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-grpc');
    // The gRPC exporter reads OTEL_EXPORTER_OTLP_[LOGS_]HEADERS into its metadata itself.
    return { target, exporter: logListExporter(new OTLPLogExporter(common)) };
  }
  const json = otlp.protocol === 'http/json';
  // otlp-transformer (and the metrics SDK it requires) is about 30 ms of start-up: loaded for the first batch.
  let loading: Promise<LogRecordExporter> | undefined;
  const load = async (): Promise<LogRecordExporter> => {
    const { JsonLogsSerializer, LogsExporterMetricsHelper, ProtobufLogsSerializer } = await loadOtlpTransformer();
    // The options the stock OTLPLogExporter builds (OTEL_EXPORTER_OTLP_LOGS_* included).
    const options = convertLegacyHttpOptions({ ...common, headers: otlp.headers }, 'LOGS', 'v1/logs', {
      'Content-Type': json ? 'application/json' : 'application/x-protobuf',
    });
    const metrics = createOtlpHttpExporterMetrics(
      'otlp_http_log_exporter',
      LogsExporterMetricsHelper,
      options.url,
      undefined,
    );
    return new OTLPExporterBase<ReadableLogRecord[]>(
      createOtlpNetworkExportDelegate(
        options,
        json ? JsonLogsSerializer : ProtobufLogsSerializer,
        metrics,
        createOtlpHttpTransport(options),
      ),
    );
  };
  const exporter: LogRecordExporter = {
    export(records, done) {
      loading ??= load();
      loading.then(
        (base) => base.export(records, done),
        (error: unknown) =>
          done({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
      );
    },
    // Never loaded (or failed to): nothing is held. The failure was reported with the batch that met it.
    shutdown: async () =>
      loading?.then(
        (base) => base.shutdown(),
        () => undefined,
      ),
    forceFlush: async () =>
      loading?.then(
        (base) => base.forceFlush(),
        () => undefined,
      ),
  };
  return { target, exporter: logListExporter(exporter) };
}
