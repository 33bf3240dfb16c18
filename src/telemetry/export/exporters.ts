/**
 * The span backends: Sentry's OTLP endpoint, any OTLP collector, and the development console tree.
 * Each is a BatchExporter; batching, bounds and failure reporting live in export/pipeline.ts. Both span
 * streams are scrubbed here, on their way out, with the same rules as Sentry events.
 */
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { getOtlpTracesEndpoint } from '../common/sentry-node.js';
import { ConsoleTreeExporter } from './console-tree.js';
import { otlpBatchExporter, SpanEncoder } from './otlp/batch.js';
import {
  createRedactingExporter,
  createSpanRedactor,
  redactSpan,
  type SpanRedactor,
} from '../redaction/redacting-exporter.js';
import { maskUrl } from '../config/masking.js';
import { redactorFor } from '../redaction/redactor.js';
import { spanListExporter, type BatchExporter } from './span-batch.js';
import type { ExporterName, OtlpConfig, TelemetryConfig } from '../common/types.js';
import {
  CompressionAlgorithm,
  convertLegacyHttpOptions,
  createOtlpHttpExporterMetrics,
  createOtlpNetworkExportDelegate,
  httpAgentFactoryFromOptions,
  loadOtlpTransformer,
  OTLPExporterBase,
} from './otlp/exporter-base.js';
import { createOtlpHttpTransport } from './otlp/http-transport.js';

export interface NamedExporter {
  name: ExporterName;
  /** Where the spans go, for messages (no credentials). */
  target: string;
  exporter: BatchExporter;
}

/**
 * Sentry's OTLP endpoint, built from the DSN alone. The stock OTLPTraceExporter merges
 * OTEL_EXPORTER_OTLP_HEADERS into its headers, which would hand the collector's credentials to Sentry; these
 * options are assembled directly so no environment variable reaches them.
 */
function createSentryExporter(dsn: string, timeoutMillis: number, encoder: SpanEncoder): NamedExporter {
  const endpoint = getOtlpTracesEndpoint(dsn);
  if (!endpoint) throw new Error('the Sentry DSN cannot be turned into an OTLP endpoint');
  const options = {
    url: endpoint.url,
    headers: async () => ({ ...endpoint.headers, 'Content-Type': 'application/x-protobuf' }),
    timeoutMillis,
    concurrencyLimit: 8,
    compression: 'gzip' as const,
    agentFactory: httpAgentFactoryFromOptions({ keepAlive: true }),
  };
  return { name: 'sentry', target: endpoint.url, exporter: otlpBatchExporter(options, encoder) };
}

async function createOtlpExporter(
  otlp: OtlpConfig,
  encoder: SpanEncoder,
  redact: SpanRedactor,
): Promise<NamedExporter> {
  if (!otlp.tracesUrl) throw new Error('no OTLP endpoint configured');
  const compression = otlp.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE;
  const common = { url: otlp.tracesUrl, timeoutMillis: otlp.timeoutMillis, compression };
  const target = `${maskUrl(otlp.tracesUrl)} (${otlp.protocol})`;
  if (otlp.protocol === 'http/protobuf') {
    // The options the stock http/protobuf OTLPTraceExporter builds (environment included), with encoded batches.
    const options = convertLegacyHttpOptions({ ...common, headers: otlp.headers }, 'TRACES', 'v1/traces', {
      'Content-Type': 'application/x-protobuf',
    });
    return { name: 'otlp', target, exporter: otlpBatchExporter(options, encoder) };
  }
  let exporter: SpanExporter;
  // Each protocol's exporter is imported on demand: start-up loads only the one in use.
  if (otlp.protocol === 'grpc') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
    // The gRPC exporter reads OTEL_EXPORTER_OTLP_[TRACES_]HEADERS into its metadata itself.
    exporter = new OTLPTraceExporter(common);
  } else {
    // http/json: the stock JSON serializer over the layer's transport, so a failure keeps its HTTP status,
    // Retry-After or network error for the warning, as on the protobuf path.
    const { JsonTraceSerializer } = await loadOtlpTransformer();
    const options = convertLegacyHttpOptions({ ...common, headers: otlp.headers }, 'TRACES', 'v1/traces', {
      'Content-Type': 'application/json',
    });
    const metrics = createOtlpHttpExporterMetrics<ReadableSpan[]>(
      'otlp_http_span_exporter',
      { name: 'span', countItems: (spans) => spans.length },
      options.url,
      undefined,
    );
    exporter = new OTLPExporterBase<ReadableSpan[]>(
      createOtlpNetworkExportDelegate(options, JsonTraceSerializer, metrics, createOtlpHttpTransport(options)),
    );
  }
  return { name: 'otlp', target, exporter: spanListExporter(createRedactingExporter(exporter, redact)) };
}

export async function createExporters(config: TelemetryConfig): Promise<NamedExporter[]> {
  // One set of rules; each span is scrubbed once per path, whichever backends receive it (the encoder encodes a
  // span once for every OTLP pipeline; span-object exporters share the remembered view).
  const redactor = redactorFor(config);
  const redact = createSpanRedactor(redactor);
  const encoder = new SpanEncoder((span) => redactSpan(span, redactor));
  const exporters: NamedExporter[] = [];
  for (const name of config.exporters) {
    if (name === 'sentry' && config.sentry.dsn) {
      exporters.push(createSentryExporter(config.sentry.dsn.raw, config.otlp.timeoutMillis, encoder));
    } else if (name === 'otlp') {
      exporters.push(await createOtlpExporter(config.otlp, encoder, redact));
    } else if (name === 'console') {
      const exporter = createRedactingExporter(new ConsoleTreeExporter(), redact);
      exporters.push({ name: 'console', target: 'stderr', exporter: spanListExporter(exporter) });
    }
  }
  return exporters;
}
