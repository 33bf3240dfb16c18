/**
 * One pipeline per logs backend, following the span backends (TELEMETRY_EXPORTERS): Sentry Logs when the DSN is
 * set, the collector when it has a logs endpoint, the development tree with the console exporter.
 */
import type { TelemetryConfig } from '../common/types.js';
import { printLogLinesFrom } from '../export/console-tree.js';
import { consoleLinesExporter, inSampledTrace, treeLogLines } from './console-lines.js';
import { LogPipeline } from './log-pipeline.js';
import { createOtlpLogsExporter } from './otlp-logs-exporter.js';
import { sentryLogsExporter } from './sentry-logs-exporter.js';
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '../common/semconv.js';

/** Sentry's own SDK sends at most 100 records per envelope. */
const SENTRY_MAX_BATCH = 100;

/** The resource attributes a Sentry log item carries: its items have no resource of their own. */
function serviceAttributes(config: TelemetryConfig): Record<string, string> {
  return {
    ...config.resourceAttributes,
    [ATTR_SERVICE_NAME]: config.serviceName,
    [ATTR_SERVICE_VERSION]: config.release,
    [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
  };
}

export async function createLogPipelines(config: TelemetryConfig): Promise<LogPipeline[]> {
  const { batch, otlp } = config.logs;
  const pipelines: LogPipeline[] = [];
  for (const name of config.exporters) {
    if (name === 'sentry' && config.sentry.dsn) {
      const sentryBatch = { ...batch, maxExportBatchSize: Math.min(batch.maxExportBatchSize, SENTRY_MAX_BATCH) };
      pipelines.push(new LogPipeline('sentry-logs', sentryLogsExporter(serviceAttributes(config)), sentryBatch));
    } else if (name === 'otlp' && otlp.url !== undefined) {
      const { exporter, target } = await createOtlpLogsExporter({ ...otlp, url: otlp.url });
      pipelines.push(new LogPipeline('otlp-logs', exporter, batch, undefined, target));
    } else if (name === 'console') {
      // No delay: the lines must be in before the span pipeline hands the tree their trace's root.
      const consoleBatch = { ...batch, scheduledDelayMillis: 0 };
      printLogLinesFrom(treeLogLines);
      pipelines.push(new LogPipeline('console-logs', consoleLinesExporter(treeLogLines), consoleBatch, inSampledTrace));
    }
  }
  return pipelines;
}
