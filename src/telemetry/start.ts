/**
 * start() and shutdown(): builds the NodeSDK (spans) and Sentry (errors, breadcrumbs, scopes) from one
 * validated configuration, in the order DESIGN.md's verified facts require: the SDK and its instrumentations
 * first, Sentry.init after sdk.start().
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DiagConsoleLogger, DiagLogLevel, diag, propagation } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import * as Sentry from '@sentry/node';
import { maskDsn } from './config.js';
import { createBeforeBreadcrumb, createBeforeSend } from './event-filters.js';
import { ExportPipeline, type PipelineStats } from './export-pipeline.js';
import { createExporters } from './exporters.js';
import { installFetchBreadcrumbs } from './fetch-breadcrumbs.js';
import { genAiProviderNameProcessor } from './genai.js';
import { createInstrumentations } from './instrumentations.js';
import { propagationInstrumentationHooks } from './propagation-hooks.js';
import { createPropagator } from './propagation.js';
import { createRedactingExporter } from './redacting-exporter.js';
import { setRuntimeConfig } from './runtime.js';
import { createSampler } from './sampling.js';
import { createScopeBridgeProcessor, scopeBridgeIntegration } from './scope-bridge.js';
import { initSentry } from './sentry-setup.js';
import { sentryTraceLinkIntegration } from './sentry-trace-link.js';
import { drainServers, trackServers, untrackServers } from './server-drain.js';
import type { TelemetryConfig } from './types.js';

export interface ShutdownReport {
  /** True when every span and Sentry event was delivered within the budget. */
  flushed: boolean;
  sentryFlushed: boolean;
  exporters: Record<string, PipelineStats>;
}

export interface Telemetry {
  readonly config: TelemetryConfig;
  /** Exports what has ended and sends queued Sentry events; true when everything went out in time. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Flushes within the budget and stops both SDKs. Safe to call more than once. */
  shutdown(): Promise<ShutdownReport>;
  stats(): Record<string, PipelineStats>;
}

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

function packageVersion(): string {
  try {
    const url = new URL('../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function startupLine(config: TelemetryConfig): string {
  const dsn = config.sentry.dsn;
  const rate = config.sampling.tracesSampler ? 'tracesSampler' : String(config.sampling.tracesSampleRate ?? 0);
  return (
    `otel-sentry-bridge ${packageVersion()}: service=${config.serviceName} environment=${config.environment} ` +
    `release=${config.release} exporters=${config.exporters.join(',') || 'none'} sample_rate=${rate} ` +
    `sentry=${dsn ? `on (${maskDsn(dsn.raw)})` : 'off'}`
  );
}

/** The URLs the layer itself talks to: their requests never become breadcrumbs or spans. */
function telemetryUrlMatcher(config: TelemetryConfig): (url: string) => boolean {
  const prefixes: string[] = [];
  if (config.otlp.tracesUrl) prefixes.push(config.otlp.tracesUrl);
  const dsn = config.sentry.dsn;
  if (dsn) prefixes.push(`${dsn.protocol}://${dsn.host}${dsn.port ? `:${dsn.port}` : ''}/`);
  return (url) => prefixes.some((prefix) => url.startsWith(prefix));
}

function race<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  return new Promise<T>((resolve) => {
    const timer = setTimeout(() => resolve(fallback), Math.max(0, ms));
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(fallback);
      },
    );
  });
}

const DEFAULT_ATTRIBUTE_VALUE_LENGTH = 4096;

/** The OpenTelemetry side: instrumentations, sampler, propagator and the processors, started. */
async function startSdk(config: TelemetryConfig, pipelines: ExportPipeline[]): Promise<NodeSDK> {
  const appDir = process.argv[1] ? dirname(process.argv[1]) : process.cwd();
  const instrumentations = await createInstrumentations(
    config.instrumentations,
    appDir,
    propagationInstrumentationHooks(config),
  );

  const sdk = new NodeSDK({
    resource: resourceFromAttributes({
      ...config.resourceAttributes,
      'service.name': config.serviceName,
      'service.version': config.release,
      'deployment.environment.name': config.environment,
    }),
    sampler: createSampler(config),
    textMapPropagator: createPropagator(config),
    // The bridge and the GenAI naming write attributes, so they run before any pipeline reads the span.
    spanProcessors: [createScopeBridgeProcessor(config), genAiProviderNameProcessor(), ...pipelines],
    instrumentations,
    // OTel's default value length is unlimited: one 100 KB attribute per request would be exported whole to
    // every backend. The scope bridge cuts at the same 4096; OTEL_[SPAN_]ATTRIBUTE_VALUE_LENGTH_LIMIT still wins.
    ...(process.env.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT || process.env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT
      ? {}
      : { spanLimits: { attributeValueLengthLimit: DEFAULT_ATTRIBUTE_VALUE_LENGTH } }),
    // sdk-node would otherwise add OTLP metric and log exporters of its own.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  // instrumentation-http patches node:http once, for whichever loader asks first. When a CommonJS dependency
  // (express) requires it first, the ESM namespace stays unpatched and named imports (`import { request } from
  // 'node:http'`) go untraced. Importing both through the ESM hook first patches the namespace and, through
  // its default export, the CommonJS exports too.
  await import('node:http');
  await import('node:https');

  return sdk;
}

async function build(config: TelemetryConfig): Promise<Telemetry> {
  diag.setLogger(new DiagConsoleLogger(), { logLevel: LOG_LEVELS[config.logLevel], suppressOverrideMessage: true });
  // One switch drives our GenAI helpers and the official OpenAI instrumentation alike.
  process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = String(config.captureGenAiContent);

  // Every backend gets the same scrubbed spans: redaction wraps each exporter, under its bounded pipeline.
  const exporters = config.tracingDisabled ? [] : await createExporters(config);
  const pipelines = exporters.map(
    (named) => new ExportPipeline(named.name, createRedactingExporter(named.exporter, config), config.batch),
  );
  const sdk = config.tracingDisabled ? undefined : await startSdk(config, pipelines);
  let fatalInProgress = false;
  const isTelemetryUrl = telemetryUrlMatcher(config);
  const stats = (): Record<string, PipelineStats> =>
    Object.fromEntries(pipelines.map((pipeline) => [pipeline.name, pipeline.stats()]));

  const flush = async (timeoutMs = config.shutdownTimeoutMs): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    const [spansDone, sentryDone] = await Promise.all([
      race(
        Promise.all(pipelines.map((pipeline) => pipeline.forceFlush())).then(() => true),
        timeoutMs,
        false,
      ),
      Sentry.flush(Math.max(1, deadline - Date.now())).catch(() => false),
    ]);
    return spansDone && sentryDone && pipelines.every((pipeline) => pipeline.stats().pending === 0);
  };

  let shuttingDown: Promise<ShutdownReport> | undefined;
  /** Drains servers (when asked) with half the budget, flushes with the rest, and never waits past it. */
  const finish = (drain: boolean): Promise<ShutdownReport> => {
    shuttingDown ??= (async () => {
      const deadline = Date.now() + config.shutdownTimeoutMs;
      if (drain) await drainServers(config.shutdownTimeoutMs / 2);
      const budget = Math.max(1, deadline - Date.now());
      const spansDone = await race(
        Promise.all(pipelines.map((pipeline) => pipeline.forceFlush())).then(() => true),
        budget,
        false,
      );
      const sentryFlushed = await Sentry.flush(Math.max(1, deadline - Date.now())).catch(() => false);
      for (const pipeline of pipelines) pipeline.abandon();
      const report: ShutdownReport = { flushed: spansDone && sentryFlushed, sentryFlushed, exporters: stats() };
      // Stopping the SDKs may wait on a hanging backend: give it only what is left of the budget.
      await race(Promise.allSettled([sdk?.shutdown(), Sentry.close(1)]), deadline - Date.now(), undefined);
      return report;
    })();
    return shuttingDown;
  };

  const exitAfter = async (drain: boolean, failureCode: number): Promise<void> => {
    const report = await finish(drain);
    if (!report.flushed) {
      const left = Object.entries(report.exporters)
        .map(([name, s]) => `${name}: ${s.received} received, ${s.exported} exported, ${s.dropped} dropped`)
        .join('; ');
      process.stderr.write(
        `otel-sentry-bridge: shutdown budget of ${config.shutdownTimeoutMs} ms ran out` +
          ` (${left || 'no span exporter'}; Sentry events ${report.sentryFlushed ? 'sent' : 'not all sent'})\n`,
      );
    }
    process.exit(report.flushed ? failureCode : 1);
  };

  const onFatal = (error: unknown): void => {
    if (fatalInProgress) return;
    fatalInProgress = true;
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    // Drain as on SIGTERM: requests in flight finish and end their spans, no new one starts, then all is flushed.
    void exitAfter(true, 1);
  };

  initSentry(config, {
    isTelemetryUrl,
    onFatalError: onFatal,
    integrations: [scopeBridgeIntegration(config), sentryTraceLinkIntegration()],
    beforeSend: createBeforeSend(config),
    beforeBreadcrumb: createBeforeBreadcrumb(config),
  });
  const stopFetchBreadcrumbs = installFetchBreadcrumbs(isTelemetryUrl);

  // Node ends the process on an unhandled rejection; Sentry's listener (mode none) captured it, and the
  // layer restores Node's outcome unless the app listens for rejections itself.
  const knownRejectionListeners = new Set(process.listeners('unhandledRejection'));
  const onRejection = (reason: unknown): void => {
    const appListens = process.listeners('unhandledRejection').some(
      (listener) => listener !== onRejection && !knownRejectionListeners.has(listener),
    );
    if (!appListens) onFatal(reason);
  };
  process.on('unhandledRejection', onRejection);

  const onSignal = (signal: NodeJS.Signals): void => {
    // The app's own listener decides when to exit: flush within the budget and leave the rest to it.
    if (process.listenerCount(signal) > 1) {
      void flush(config.shutdownTimeoutMs);
      return;
    }
    void exitAfter(true, 0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A script that ends on its own leaves its last spans queued behind an unref'd batch timer: export them once
  // the event loop is empty. The exports' sockets keep the process alive only until they answer or time out.
  const onBeforeExit = (): void => {
    if (pipelines.some((pipeline) => pipeline.stats().pending > 0)) void flush(config.shutdownTimeoutMs);
  };
  process.on('beforeExit', onBeforeExit);
  trackServers();

  for (const warning of config.warnings) process.stderr.write(`otel-sentry-bridge: warning: ${warning}\n`);
  process.stderr.write(`${startupLine(config)}\n`);
  setRuntimeConfig(config);

  return {
    config,
    flush,
    stats,
    shutdown: async () => {
      const report = await finish(false);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.off('unhandledRejection', onRejection);
      process.off('beforeExit', onBeforeExit);
      stopFetchBreadcrumbs();
      untrackServers();
      propagation.disable();
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
export function startTelemetry(config: TelemetryConfig): Promise<Telemetry> {
  const slot = globalThis as GlobalSlot;
  slot[GLOBAL_KEY] ??= build(config);
  return slot[GLOBAL_KEY];
}

/** The running instance, if start() ran in this process. */
export function getTelemetry(): Promise<Telemetry> | undefined {
  return (globalThis as GlobalSlot)[GLOBAL_KEY];
}

/** Starts telemetry from the environment and the config module (what the --import entry does). */
export async function start(): Promise<Telemetry> {
  const { loadConfig } = await import('./config.js');
  return getTelemetry() ?? startTelemetry(await loadConfig());
}

/** Flushes within TELEMETRY_SHUTDOWN_TIMEOUT_MS and stops both SDKs; the process is left running. */
export async function shutdown(): Promise<ShutdownReport | undefined> {
  const running = getTelemetry();
  return running ? (await running).shutdown() : undefined;
}
