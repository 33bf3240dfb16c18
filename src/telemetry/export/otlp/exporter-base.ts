/**
 * The one place the layer reaches into @opentelemetry/otlp-exporter-base: its network export delegate, metrics
 * helper and transport types, and the option helpers of its `./node-http` entry, are the SDK's plumbing, not its
 * documented API, and changed layout between the 0.2xx and 0.3xx lines (build/src/index-node-http.js, then
 * dist/platform/node/index.cjs). Both lines export these names from the same two entries;
 * test/unit/export/otlp/exporter-base.test.ts fails, naming the missing one, when a version stops doing so.
 */
export {
  CompressionAlgorithm,
  createOtlpNetworkExportDelegate,
  OTLPExporterBase,
  OTLPExporterError,
  type ExportResponse,
  type IExporterTransport,
} from '@opentelemetry/otlp-exporter-base';
export {
  convertLegacyHttpOptions,
  createOtlpHttpExporterMetrics,
  httpAgentFactoryFromOptions,
  type createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';

/** otlp-transformer's serializers (the log serializers), loaded on first use like each protocol's exporter code. */
export function loadOtlpTransformer(): Promise<typeof import('@opentelemetry/otlp-transformer')> {
  return import('@opentelemetry/otlp-transformer');
}
