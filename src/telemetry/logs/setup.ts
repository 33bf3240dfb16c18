/**
 * The logs side, assembled: a LoggerProvider on the service's resource whose one processor (router.ts) feeds a
 * pipeline per backend, registered as the global provider, and the console source. Installed when logs are on,
 * or when GenAI content capture needs the OpenAI instrumentation's records (they go onto the chat span).
 */
import type { Resource } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { redactorFor } from '../redaction/redactor.js';
import type { TelemetryConfig } from '../common/types.js';
import { createLogPipelines } from './backends.js';
import { captureConsole, CONSOLE_SCOPE, type EmittingLogger } from './console-source.js';
import { registerGlobalLoggerProvider } from './global-logs-api.js';
import type { LogPipeline } from './log-pipeline.js';
import { LogRouter } from './router.js';
import { minimumSeverity } from './severity.js';

export interface RunningLogs {
  readonly pipelines: readonly LogPipeline[];
  /** Handed to registerInstrumentations, so the instrumentations log through it whatever the global API. */
  readonly provider: LoggerProvider;
  /** Stops the sources, unregisters the provider and shuts the pipelines down. */
  stop(): Promise<void>;
}

/** OpenTelemetry's default is unlimited; the span attributes are cut at the same length (otel-setup.ts). */
function logRecordLimits(): { attributeValueLengthLimit: number; attributeCountLimit: number } {
  const number = (name: string): number | undefined => {
    const parsed = Number.parseInt(process.env[name] ?? '', 10);
    return Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
  };
  return {
    attributeValueLengthLimit:
      number('OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? number('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? 4096,
    attributeCountLimit: number('OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT') ?? number('OTEL_ATTRIBUTE_COUNT_LIMIT') ?? 128,
  };
}

/** Undefined when nothing needs a LoggerProvider (logs off, no content capture, or the SDK disabled). */
export async function startLogs(config: TelemetryConfig, resource: Resource): Promise<RunningLogs | undefined> {
  const on = config.logs.level !== 'off';
  if (config.tracingDisabled || (!on && !config.captureGenAiContent)) return undefined;
  const pipelines = on ? await createLogPipelines(config) : [];
  const minimum = minimumSeverity(config.logs.level);
  const router = new LogRouter({
    minimum,
    sampledOnly: config.logs.sampledOnly,
    rateLimit: config.logs.rateLimit,
    captureGenAiContent: config.captureGenAiContent,
    redactor: redactorFor(config),
    pipelines,
  });
  const provider = new LoggerProvider({ resource, processors: [router], logRecordLimits: logRecordLimits() });
  const unregister = await registerGlobalLoggerProvider(provider);
  const stopConsole =
    on && pipelines.length > 0
      ? captureConsole(provider.getLogger(CONSOLE_SCOPE) as EmittingLogger, minimum)
      : undefined;
  return {
    pipelines,
    provider,
    stop: async () => {
      stopConsole?.();
      unregister();
      await provider.shutdown();
    },
  };
}
