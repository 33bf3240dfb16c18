/**
 * start() and shutdown(): builds the NodeSDK (spans) and Sentry (errors, breadcrumbs, scopes) from one
 * validated configuration, in the order DESIGN.md's verified facts require: the SDK and its instrumentations
 * first, Sentry.init after sdk.start().
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DiagConsoleLogger, DiagLogLevel, context, diag, propagation, trace } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import * as Sentry from '@sentry/node';
import { loadConfig, maskDsn } from './config.js';
import { createBeforeBreadcrumb, createBeforeSend } from './event-filters.js';
import { ExportPipeline, type PipelineStats } from './export-pipeline.js';
import { createExporters } from './exporters.js';
import { installFetchBreadcrumbs } from './fetch-breadcrumbs.js';
import { genAiProviderNameProcessor } from './genai.js';
import { createInstrumentations } from './instrumentations.js';
import { Lifecycle, type ShutdownReport } from './lifecycle.js';
import { propagationInstrumentationHooks } from './propagation-hooks.js';
import { createPropagator } from './propagation.js';
import { createRedactingExporter, createSpanRedactor } from './redacting-exporter.js';
import { setRuntimeConfig } from './runtime.js';
import { createSampler } from './sampling.js';
import { createScopeBridgeProcessor, scopeBridgeIntegration } from './scope-bridge.js';
import { initSentry } from './sentry-setup.js';
import { safeProcessor } from './safe-processor.js';
import { sentryTraceLinkIntegration } from './sentry-trace-link.js';
import type { TelemetryConfig } from './types.js';

export type { ShutdownReport } from './lifecycle.js';

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

const DEFAULT_ATTRIBUTE_VALUE_LENGTH = 4096;

/** The OpenTelemetry side: instrumentations, sampler, propagator and the processors, started; returns its stop. */
async function startSdk(config: TelemetryConfig, pipelines: ExportPipeline[]): Promise<() => Promise<void>> {
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
    spanProcessors: [
      safeProcessor(createScopeBridgeProcessor(config)),
      safeProcessor(genAiProviderNameProcessor()),
      ...pipelines,
    ],
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

  return async () => {
    await sdk.shutdown();
    // NodeSDK leaves the instrumentations patched and the API globals registered: a later start() would find
    // them taken ("duplicate registration") and trace nothing.
    for (const instrumentation of instrumentations as Instrumentation[]) instrumentation.disable();
    trace.disable();
    context.disable();
    propagation.disable();
  };
}

async function build(config: TelemetryConfig): Promise<Telemetry> {
  diag.setLogger(new DiagConsoleLogger(), { logLevel: LOG_LEVELS[config.logLevel], suppressOverrideMessage: true });
  // One switch drives our GenAI helpers and the official OpenAI instrumentation alike.
  process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = String(config.captureGenAiContent);

  // Every backend gets the same scrubbed spans: redaction wraps each exporter, under its bounded pipeline.
  const exporters = config.tracingDisabled ? [] : await createExporters(config);
  const redact = createSpanRedactor(config);
  const pipelines = exporters.map(
    (named) => new ExportPipeline(named.name, createRedactingExporter(named.exporter, redact), config.batch),
  );
  const stopSdk = config.tracingDisabled ? undefined : await startSdk(config, pipelines);
  const lifecycle = new Lifecycle(config, pipelines, () =>
    Promise.allSettled([stopSdk?.(), Sentry.close(1)]),
  );
  const isTelemetryUrl = telemetryUrlMatcher(config);
  initSentry(config, {
    isTelemetryUrl,
    onFatalError: lifecycle.onFatal,
    integrations: [scopeBridgeIntegration(config), sentryTraceLinkIntegration()],
    beforeSend: createBeforeSend(config),
    beforeBreadcrumb: createBeforeBreadcrumb(config),
  });
  const stopFetchBreadcrumbs = installFetchBreadcrumbs(isTelemetryUrl);
  lifecycle.install();

  for (const warning of config.warnings) process.stderr.write(`otel-sentry-bridge: warning: ${warning}\n`);
  process.stderr.write(`${startupLine(config)}\n`);
  setRuntimeConfig(config);

  return {
    config,
    flush: (timeoutMs) => lifecycle.flush(timeoutMs),
    stats: () => lifecycle.stats(),
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
export function startTelemetry(config: TelemetryConfig): Promise<Telemetry> {
  const slot = globalThis as GlobalSlot;
  slot[GLOBAL_KEY] ??= build(config).catch((error: unknown) => {
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
