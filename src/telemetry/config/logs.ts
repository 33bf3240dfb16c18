/**
 * TELEMETRY_LOGS and its companions: which log records leave the process, how many per second, and the
 * OTEL_BLRP_* queue of each log pipeline. The collector's logs endpoint is read with the traces one (otlp.ts).
 */
import type { ExporterName, LogsConfig, LogsLevel, OtlpLogsConfig } from '../common/types.js';
import { readBatchConfig } from './batch.js';
import type { EnvReader } from './env-reader.js';

const LEVELS: readonly LogsLevel[] = ['off', 'error', 'warn', 'info', 'debug'];

/**
 * The OpenTelemetry specification's batch log record processor defaults, but a 10 s export timeout (as for
 * spans: a hanging collector must not hold a batch for 30 s) and a 1 s delay.
 */
const BATCH_DEFAULTS = {
  maxQueueSize: 2048,
  maxExportBatchSize: 512,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 10_000,
};

/** Enough for a busy service's request logs; a storm beyond it is counted and dropped, not queued. */
export const DEFAULT_LOGS_RATE_LIMIT = 1000;

export const NO_LOGS_ENDPOINT_WARNING =
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set but no logs endpoint: log records go to the other backends only. ' +
  'Set OTEL_EXPORTER_OTLP_LOGS_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT, the base URL) to send them to the collector.';

export interface LogsInputs {
  exporters: readonly ExporterName[];
  tracingDisabled: boolean;
  otlp: OtlpLogsConfig;
}

export function readLogs(reader: EnvReader, inputs: LogsInputs, warnings: string[]): LogsConfig {
  const requested = reader.choice('TELEMETRY_LOGS', LEVELS);
  // OTEL_SDK_DISABLED turns every signal off, as in any OpenTelemetry SDK.
  const level: LogsLevel = inputs.tracingDisabled
    ? 'off'
    : (requested ?? (inputs.exporters.length > 0 ? 'info' : 'off'));
  const batch = readBatchConfig(reader, 'OTEL_BLRP', BATCH_DEFAULTS);
  if (level !== 'off' && inputs.exporters.includes('otlp') && inputs.otlp.url === undefined)
    warnings.push(NO_LOGS_ENDPOINT_WARNING);
  return {
    level,
    sampledOnly: reader.boolean('TELEMETRY_LOGS_SAMPLED_ONLY') ?? false,
    rateLimit: reader.integer('TELEMETRY_LOGS_RATE_LIMIT') ?? DEFAULT_LOGS_RATE_LIMIT,
    otlp: inputs.otlp,
    batch,
  };
}
