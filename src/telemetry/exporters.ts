/**
 * The span backends: Sentry's OTLP endpoint, any OTLP collector, and the development console tree.
 * Each returns a plain SpanExporter; batching, bounds and failure reporting live in export-pipeline.ts.
 */
import { CompressionAlgorithm, OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { createOtlpHttpExportDelegate, httpAgentFactoryFromOptions } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { getOtlpTracesEndpoint } from '@sentry/node';
import { ConsoleTreeExporter } from './console-tree.js';
import type { ExporterName, OtlpConfig, TelemetryConfig } from './types.js';

export interface NamedExporter {
  name: ExporterName;
  /** Where the spans go, for messages (no credentials). */
  target: string;
  exporter: SpanExporter;
}

/**
 * Sentry's OTLP endpoint, built from the DSN alone. The stock OTLPTraceExporter merges
 * OTEL_EXPORTER_OTLP_HEADERS into its headers, which would hand the collector's credentials to Sentry; this
 * exporter is assembled from the export delegate directly so no environment variable reaches it.
 */
class SentryOtlpExporter extends OTLPExporterBase<ReadableSpan[]> {
  constructor(url: string, headers: Record<string, string>, timeoutMillis: number) {
    super(
      createOtlpHttpExportDelegate(
        {
          url,
          headers: async () => ({ ...headers, 'Content-Type': 'application/x-protobuf' }),
          timeoutMillis,
          concurrencyLimit: 8,
          compression: 'gzip',
          agentFactory: httpAgentFactoryFromOptions({ keepAlive: true }),
        },
        ProtobufTraceSerializer,
        'otlp_http_span_exporter',
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}

function createSentryExporter(dsn: string, timeoutMillis: number): NamedExporter {
  const endpoint = getOtlpTracesEndpoint(dsn);
  if (!endpoint) throw new Error('the Sentry DSN cannot be turned into an OTLP endpoint');
  return {
    name: 'sentry',
    target: endpoint.url,
    exporter: new SentryOtlpExporter(endpoint.url, endpoint.headers, timeoutMillis),
  };
}

async function createOtlpExporter(otlp: OtlpConfig): Promise<NamedExporter> {
  if (!otlp.tracesUrl) throw new Error('no OTLP endpoint configured');
  const compression = otlp.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  const common = { url: otlp.tracesUrl, timeoutMillis: otlp.timeoutMillis, compression };
  let exporter: SpanExporter;
  // Each protocol's exporter is imported on demand: start-up loads only the one in use.
  if (otlp.protocol === 'grpc') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
    // The gRPC exporter reads OTEL_EXPORTER_OTLP_[TRACES_]HEADERS into its metadata itself.
    exporter = new OTLPTraceExporter(common);
  } else if (otlp.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    exporter = new OTLPTraceExporter({ ...common, headers: otlp.headers });
  } else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
    exporter = new OTLPTraceExporter({ ...common, headers: otlp.headers });
  }
  return { name: 'otlp', target: `${otlp.tracesUrl} (${otlp.protocol})`, exporter };
}

export async function createExporters(config: TelemetryConfig): Promise<NamedExporter[]> {
  const exporters: NamedExporter[] = [];
  for (const name of config.exporters) {
    if (name === 'sentry' && config.sentry.dsn) {
      exporters.push(createSentryExporter(config.sentry.dsn.raw, config.otlp.timeoutMillis));
    } else if (name === 'otlp') {
      exporters.push(await createOtlpExporter(config.otlp));
    } else if (name === 'console') {
      exporters.push({ name: 'console', target: 'stderr', exporter: new ConsoleTreeExporter() });
    }
  }
  return exporters;
}
