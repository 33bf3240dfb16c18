/**
 * The collector's logs endpoint (`/v1/logs`), with the protocol, headers, compression and timeout of the traces
 * exporter unless OTEL_EXPORTER_OTLP_LOGS_* say otherwise (config/otlp.ts). The stock OpenTelemetry log exporters
 * do the encoding; each protocol's is imported on demand, so start-up loads only the one in use.
 */
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { maskUrl } from '../config/masking.js';
import type { OtlpLogsConfig } from '../types.js';
import { logListExporter, type LogBatchExporter } from './log-pipeline.js';

export interface NamedLogExporter {
  /** Where the records go, for messages (no credentials). */
  target: string;
  exporter: LogBatchExporter;
}

export async function createOtlpLogsExporter(otlp: OtlpLogsConfig & { url: string }): Promise<NamedLogExporter> {
  const compression = otlp.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  const common = { url: otlp.url, timeoutMillis: otlp.timeoutMillis, compression };
  let exporter: LogRecordExporter;
  if (otlp.protocol === 'grpc') {
    const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-grpc');
    // The gRPC exporter reads OTEL_EXPORTER_OTLP_[LOGS_]HEADERS into its metadata itself.
    exporter = new OTLPLogExporter(common);
  } else if (otlp.protocol === 'http/json') {
    const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-http');
    exporter = new OTLPLogExporter({ ...common, headers: otlp.headers });
  } else {
    const { OTLPLogExporter } = await import('@opentelemetry/exporter-logs-otlp-proto');
    exporter = new OTLPLogExporter({ ...common, headers: otlp.headers });
  }
  return { target: `${maskUrl(otlp.url)} (${otlp.protocol})`, exporter: logListExporter(exporter) };
}
