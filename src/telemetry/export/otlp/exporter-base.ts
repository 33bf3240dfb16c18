/**
 * The one place the layer reaches into @opentelemetry/otlp-exporter-base: its HTTP export delegate and the
 * option helpers of its `./node-http` entry are the SDK's plumbing, not its documented API, and changed layout
 * between the 0.2xx and 0.3xx lines (build/src/index-node-http.js, then dist/platform/node/index.cjs). Both lines
 * export these names from the same two entries; test/unit/export/otlp/exporter-base.test.ts fails, naming the
 * missing one, when a version stops doing so.
 */
export { CompressionAlgorithm, OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
export {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
  httpAgentFactoryFromOptions,
} from '@opentelemetry/otlp-exporter-base/node-http';
