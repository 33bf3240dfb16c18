/**
 * A batch processor's settings from the environment, the same four variables for each signal: OTEL_BSP_* for
 * spans, OTEL_BLRP_* for log records (OpenTelemetry's names), each signal with its own defaults.
 */
import type { BatchConfig } from '../common/types.js';
import type { EnvReader } from './env-reader.js';

export function readBatchConfig(
  reader: EnvReader,
  prefix: 'OTEL_BSP' | 'OTEL_BLRP',
  defaults: BatchConfig,
): BatchConfig {
  const batch: BatchConfig = {
    maxQueueSize: reader.integer(`${prefix}_MAX_QUEUE_SIZE`) ?? defaults.maxQueueSize,
    maxExportBatchSize: reader.integer(`${prefix}_MAX_EXPORT_BATCH_SIZE`) ?? defaults.maxExportBatchSize,
    scheduledDelayMillis: reader.integer(`${prefix}_SCHEDULE_DELAY`, 0) ?? defaults.scheduledDelayMillis,
    exportTimeoutMillis: reader.integer(`${prefix}_EXPORT_TIMEOUT`) ?? defaults.exportTimeoutMillis,
  };
  if (batch.maxExportBatchSize > batch.maxQueueSize) {
    reader.problems.invalid(
      `${prefix}_MAX_EXPORT_BATCH_SIZE`,
      String(batch.maxExportBatchSize),
      `a whole number <= ${prefix}_MAX_QUEUE_SIZE (${batch.maxQueueSize})`,
      'a batch cannot be larger than the queue',
    );
  }
  return batch;
}
