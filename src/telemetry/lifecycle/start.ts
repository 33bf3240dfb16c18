/**
 * start() and shutdown(): builds tracing (otel/provider.ts) and Sentry (sentry/init.ts) from one validated
 * configuration, in the order the pitfalls in docs/architecture.md require: OpenTelemetry and its instrumentations first,
 * Sentry.init after; then hands the process hooks to the lifecycle.
 */
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import * as Sentry from '../common/sentry-node.js';
import { loadConfig, maskDsn } from '../config/index.js';
import {
  breadcrumbScrubbingIntegration,
  createBeforeBreadcrumb,
  createBeforeSend,
} from '../redaction/event-filters.js';
import { ExportPipeline, type PipelineStats } from '../export/pipeline.js';
import { createExporters } from '../export/exporters.js';
import { installFetchBreadcrumbs } from '../sentry/fetch-breadcrumbs.js';
import { internalErrorCounts, type InternalErrorCounts } from '../common/internal-errors.js';
import { Lifecycle, type ShutdownReport } from './shutdown.js';
import { OpenSpans } from './open-spans.js';
import { createResource, loadInstrumentations, startTracing } from '../otel/provider.js';
import type { Profiling } from '../profiling/index.js';
import { telemetryUrlMatcher } from '../otel/own-traffic.js';
import { setRuntimeConfig } from '../common/runtime.js';
import { scopeBridgeIntegration } from '../scopes/breadcrumb-events.js';
import { SentryEventLedger, type SentryEventCounts } from '../sentry/events-ledger.js';
import { initSentry } from '../sentry/init.js';
import { shareStorageWithSentry } from '../scopes/shared-storage.js';
import { sentryTraceLinkIntegration } from '../sentry/trace-link.js';
import type { ExporterName, LogPipelineName, TelemetryConfig } from '../common/types.js';
import { packageVersion } from '../common/package-version.js';

export type { ShutdownReport } from './shutdown.js';

export interface Telemetry {
  readonly config: TelemetryConfig;
  /** Exports what has ended and sends queued Sentry events; true when everything went out in time. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes within the budget and stops both SDKs. Safe to call more than once. */
  shutdown(): Promise<ShutdownReport>;
  /**
   * Per span exporter and log pipeline (by name, e.g. `otlp`, `otlp-logs`) its counts, `sentryEvents`: the
   * Sentry events' counts, and `internalErrors`: the layer's own failures it contained (a throwing span
   * processor, propagator, tracesSampler).
   */
  stats(): TelemetryStats;
}

export type TelemetryStats = Partial<Record<ExporterName | LogPipelineName, PipelineStats>> & {
  sentryEvents: SentryEventCounts;
  internalErrors: InternalErrorCounts;
};

const GLOBAL_KEY = Symbol.for('otel-sentry-bridge.telemetry');
type GlobalSlot = { [GLOBAL_KEY]?: Promise<Telemetry> };

const LOG_LEVELS: Record<TelemetryConfig['logLevel'], DiagLogLevel> = {
  none: DiagLogLevel.NONE,
  error: DiagLogLevel.ERROR,
  warn: DiagLogLevel.WARN,
  info: DiagLogLevel.INFO,
  debug: DiagLogLevel.DEBUG,
  verbose: DiagLogLevel.VERBOSE,
  all: DiagLogLevel.ALL,
};

function startupLine(config: TelemetryConfig): string {
  const dsn = config.sentry.dsn;
  const rate = config.sampling.tracesSampler ? 'tracesSampler' : String(config.sampling.tracesSampleRate ?? 0);
  return (
    `otel-sentry-bridge ${packageVersion()}: service=${config.serviceName} environment=${config.environment} ` +
    `release=${config.release} exporters=${config.exporters.join(',') || 'none'} logs=${config.logs.level} sample_rate=${rate} ` +
    `sentry=${dsn ? `on (${maskDsn(dsn.raw)})` : 'off'}`
  );
}

export interface StartOptions {
  /** Registers the ESM loader hook; called once the layer's own modules are loaded (register.ts passes it). */
  registerLoaderHook?: () => void;
}

/**
 * Whether startLogs (logs/setup.ts) would start anything: logs on, or GenAI content to carry as log records. Off,
 * start-up skips the logs room and the OpenTelemetry logs SDK altogether.
 */
function logsWanted(config: TelemetryConfig): boolean {
  return !config.tracingDisabled && (config.logs.level !== 'off' || config.captureGenAiContent);
}

async function build(config: TelemetryConfig, options: StartOptions): Promise<Telemetry> {
  // The console logger prints with the console methods saved when the API loaded, before the logs source hooks
  // the console: its lines never come back as log records (test/e2e/logs-backends.test.ts).
  diag.setLogger(new DiagConsoleLogger(), { logLevel: LOG_LEVELS[config.logLevel], suppressOverrideMessage: true });
  // One switch drives our GenAI helpers and the official OpenAI instrumentation alike.
  process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = String(config.captureGenAiContent);

  // Every backend gets the same scrubbed spans (exporters.ts), each through its own bounded pipeline.
  const exporters = config.tracingDisabled ? [] : await createExporters(config);
  const pipelines = exporters.map(
    (named) => new ExportPipeline(named.name, named.exporter, config.batch, named.target),
  );
  const instrumentations = config.tracingDisabled ? [] : await loadInstrumentations(config);
  // Off (rate 0, the default) loads neither the native profiler nor the profiling modules; a profiler that cannot
  // load here leaves one warning (profiling/).
  const profiling: Profiling | undefined =
    (config.sentry.profilesSampleRate ?? 0) > 0
      ? (await import('../profiling/index.js')).createProfiling(config)
      : undefined;
  // Spans and log records carry one resource; the logs side is up before the instrumentations that log through it.
  const resource = createResource(config);
  const logs = logsWanted(config) ? await (await import('../logs/setup.js')).startLogs(config, resource) : undefined;
  // Everything the layer imports is loaded by now: the hook only wraps the app's modules.
  options.registerLoaderHook?.();
  // The exit paths end the spans still open (a crashed request's) instead of losing them.
  const openSpans = config.tracingDisabled ? undefined : new OpenSpans();
  const markers = profiling ? [profiling.processor] : [];
  const stopTracing = openSpans
    ? await startTracing(config, [...pipelines, openSpans], instrumentations, markers, resource, logs?.provider)
    : undefined;
  const lifecycle = new Lifecycle(
    config,
    [...pipelines, ...(logs?.pipelines ?? [])],
    () => Promise.allSettled([stopTracing?.(), logs?.stop(), Sentry.close(1)]),
    openSpans,
  );
  const isTelemetryUrl = telemetryUrlMatcher(config);
  const sentryEvents = new SentryEventLedger();
  const sentryClient = initSentry(config, {
    isTelemetryUrl,
    events: sentryEvents,
    onFatalError: lifecycle.onFatal,
    integrations: [
      breadcrumbScrubbingIntegration(config),
      scopeBridgeIntegration(config),
      sentryTraceLinkIntegration(),
      ...(profiling ? [profiling.integration] : []),
    ],
    beforeSend: createBeforeSend(config),
    beforeBreadcrumb: createBeforeBreadcrumb(config),
  });
  // Sentry's scopes move into the storage of the context manager startTracing registered (shared-storage.ts).
  if (stopTracing) shareStorageWithSentry();
  const stopFetchBreadcrumbs = installFetchBreadcrumbs(isTelemetryUrl);
  lifecycle.install(sentryEvents.counter(sentryClient, config.sentry.dsn !== undefined));

  for (const warning of config.warnings) process.stderr.write(`otel-sentry-bridge: warning: ${warning}\n`);
  process.stderr.write(`${startupLine(config)}\n`);
  setRuntimeConfig(config);

  return {
    config,
    flush: (timeoutMs) => lifecycle.flush(timeoutMs),
    stats: () => ({
      ...lifecycle.stats(),
      sentryEvents: lifecycle.eventStats(),
      internalErrors: internalErrorCounts(),
    }),
    shutdown: async () => {
      const report = await lifecycle.finish(false);
      lifecycle.uninstall();
      stopFetchBreadcrumbs();
      setRuntimeConfig(undefined);
      delete (globalThis as GlobalSlot)[GLOBAL_KEY];
      return report;
    },
  };
}

/**
 * Starts telemetry once per process: a second call (two `--import`s, or register plus a manual start) gets
 * the running instance instead of instrumenting twice.
 */
export function startTelemetry(config: TelemetryConfig, options: StartOptions = {}): Promise<Telemetry> {
  const slot = globalThis as GlobalSlot;
  slot[GLOBAL_KEY] ??= build(config, options).catch((error: unknown) => {
    // A failed start leaves no half-started instance behind for the next start() to return.
    delete slot[GLOBAL_KEY];
    throw error;
  });
  return slot[GLOBAL_KEY];
}

/** The running instance, if start() ran in this process. */
export function getTelemetry(): Promise<Telemetry> | undefined {
  return (globalThis as GlobalSlot)[GLOBAL_KEY];
}

/** Starts telemetry from the environment and the config module (what the --import entry does). */
export async function start(): Promise<Telemetry> {
  return getTelemetry() ?? startTelemetry(await loadConfig());
}

/** Flushes within TELEMETRY_SHUTDOWN_TIMEOUT_MS and stops both SDKs; the process is left running. */
export async function shutdown(): Promise<ShutdownReport | undefined> {
  const running = getTelemetry();
  return running ? (await running).shutdown() : undefined;
}
