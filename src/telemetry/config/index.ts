/**
 * Configuration: the environment (standard SENTRY_* and OTEL_* names plus TELEMETRY_*) and the optional config
 * module, parsed once into one validated TelemetryConfig. Every invalid value is collected and reported in one
 * ConfigError before any application code runs. The rules per variable are in docs/configuration.md.
 */
import type { ParsedDsn, Pattern, TelemetryConfig, UserConfig } from '../common/types.js';
import { findAppPackage, searchRoots } from './app-package.js';
import { loadConfigModule, locateConfigModule, type LoadedModule } from './config-module.js';
import { DSN_ACCEPTED, parseDsn } from './dsn.js';
import { readEnvironment } from './environment.js';
import { readBatchConfig } from './batch.js';
import { EnvReader, RATE_ACCEPTED } from './env-reader.js';
import { Problems } from './errors.js';
import { readPeerList } from './baggage-peers.js';
import { readExporters } from './exporters.js';
import { readHeadSha } from './git.js';
import { maskDsn } from './masking.js';
import { readOtelPropagators, readOtelSampler, readOtelTracesExporter } from './otel-standard.js';
import { readLogs } from './logs.js';
import { OTEL_DEFAULT_ENDPOINT, OTEL_DEFAULT_LOGS_ENDPOINT, readOtlpSignals } from './otlp.js';
import {
  DEFAULT_BAGGAGE_TARGETS,
  DEFAULT_IGNORE_PATHS,
  DEFAULT_PROPAGATION_TARGETS,
  readPatternList,
} from './patterns.js';
import { defaultRelease, RELEASE_ACCEPTED, releaseProblem } from './release.js';
import { readResourceAttributes } from './resource-attributes.js';
import { ATTR_SERVICE_NAME } from '../common/semconv.js';

export { ConfigError } from './errors.js';
export { defineConfig } from './config-module.js';
export { maskDsn } from './masking.js';
export { DEFAULT_BAGGAGE_TARGETS, DEFAULT_IGNORE_PATHS, DEFAULT_PROPAGATION_TARGETS } from './patterns.js';

export interface LoadConfigOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where TELEMETRY_CONFIG and the default config module are resolved; defaults to process.cwd(). */
  cwd?: string;
  /** The app's entry script or folder, where the search for package.json and .git starts (process.argv[1]). */
  appPath?: string;
}

const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
const INSTRUMENTATION_SETS = ['default', 'all'] as const;
const HTTP_SERVER_SPAN_SOURCES = ['instrumentation-http', 'diagnostics-channel'] as const;
/** OTel's default value length is unlimited: one 100 KB attribute per request would reach every backend whole. */
export const DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT = 4096;

/**
 * Defaults sized for a busy service: OTel's own (queue 2048, batch 512, 5 s delay) dropped about half of the
 * spans at a few thousand spans per second against a local receiver.
 */
const BATCH_DEFAULTS = {
  maxQueueSize: 8192,
  maxExportBatchSize: 1024,
  scheduledDelayMillis: 1000,
  exportTimeoutMillis: 10_000,
};

export async function loadConfig(options: LoadConfigOptions = {}): Promise<TelemetryConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems = new Problems();
  const warnings: string[] = [];
  const reader = new EnvReader(env, problems);

  const dsn = readDsn(reader);
  const environment = readEnvironment(reader);
  const roots = searchRoots(options.appPath ?? process.argv[1], cwd);
  const pkg = findAppPackage(roots);
  const release = readRelease(reader) ?? defaultRelease(pkg, readHeadSha(roots));

  const tracesSampleRate = readTracesSampleRate(reader, warnings);
  const profilesSampleRate = reader.rate('SENTRY_PROFILES_SAMPLE_RATE');

  const resourceAttributes = readResourceAttributes(reader);
  const serviceName =
    reader.string('OTEL_SERVICE_NAME') ?? resourceAttributes[ATTR_SERVICE_NAME] ?? pkg?.name ?? 'unknown_service:node';

  const { traces: otlp, logs: otlpLogs } = readOtlpSignals(reader);
  const otelExporters = readOtelTracesExporter(reader);
  const otlpEndpointGiven =
    reader.has('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') || reader.has('OTEL_EXPORTER_OTLP_ENDPOINT');
  const exporters = readExporters(
    reader,
    { dsnGiven: reader.has('SENTRY_DSN'), otlpEndpointGiven, environment, otelChoice: otelExporters },
    warnings,
  );
  // OTEL_TRACES_EXPORTER=otlp alone means OTel's default collector address, as in any OTel SDK.
  if (exporters.includes('otlp') && !otlpEndpointGiven) otlp.tracesUrl = OTEL_DEFAULT_ENDPOINT[otlp.protocol];
  if (exporters.includes('otlp') && !otlpEndpointGiven && !reader.has('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT')) {
    otlpLogs.url = OTEL_DEFAULT_LOGS_ENDPOINT[otlpLogs.protocol];
  }

  const batch = readBatchConfig(reader, 'OTEL_BSP', BATCH_DEFAULTS);

  const propagatorsNone = readOtelPropagators(reader).none;
  const envPropagationTargets = readPatternList(reader, 'TELEMETRY_PROPAGATION_TARGETS');
  const envBaggageTargets = readPatternList(reader, 'TELEMETRY_BAGGAGE_TARGETS');
  const envBaggageAcceptFrom = readPeerList(reader, 'TELEMETRY_BAGGAGE_ACCEPT_FROM');
  const envIgnorePaths = readPatternList(reader, 'TELEMETRY_IGNORE_PATHS');
  const envOrgId = readOrgId(reader);
  const envStrict = reader.boolean('SENTRY_STRICT_TRACE_CONTINUATION');

  const common = {
    debug: reader.boolean('SENTRY_DEBUG') ?? false,
    sendDefaultPii: reader.boolean('SENTRY_SEND_DEFAULT_PII') ?? false,
    trackSessions: reader.boolean('SENTRY_TRACK_SESSIONS') ?? false,
    logLevel: reader.choice('OTEL_LOG_LEVEL', LOG_LEVELS) ?? 'warn',
    instrumentations: reader.choice('TELEMETRY_INSTRUMENTATIONS', INSTRUMENTATION_SETS) ?? 'default',
    httpServerSpans: reader.choice('TELEMETRY_HTTP_SERVER_SPANS', HTTP_SERVER_SPAN_SOURCES) ?? 'instrumentation-http',
    shutdownTimeoutMs: reader.integer('TELEMETRY_SHUTDOWN_TIMEOUT_MS') ?? 5000,
    exitFlush: reader.boolean('TELEMETRY_EXIT_FLUSH') ?? true,
    captureGenAiContent: reader.boolean('TELEMETRY_CAPTURE_GENAI_CONTENT') ?? false,
    // The span-specific variable wins, as in the OpenTelemetry SDK.
    attributeValueLengthLimit:
      reader.integer('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      reader.integer('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ??
      DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
    tracingDisabled: reader.boolean('OTEL_SDK_DISABLED') ?? false,
  };
  const logs = readLogs(reader, { exporters, tracingDisabled: common.tracingDisabled, otlp: otlpLogs }, warnings);

  const explicitModule = reader.string('TELEMETRY_CONFIG');
  const moduleFile = locateConfigModule(explicitModule, cwd);
  const loaded: LoadedModule | undefined =
    moduleFile === undefined ? undefined : await loadConfigModule(moduleFile, explicitModule, problems);

  problems.throwIfAny();

  const user: UserConfig = loaded?.config ?? {};
  // `none` switches trace headers off; explicit lists (env or module) still win over it.
  const noTargets: readonly Pattern[] = [];
  const config: TelemetryConfig = {
    serviceName,
    environment,
    release,
    resourceAttributes,
    sentry: {
      debug: common.debug,
      sendDefaultPii: common.sendDefaultPii,
      trackSessions: common.trackSessions,
      ignoreErrors: user.ignoreErrors ?? [],
    },
    sampling: {
      tracesSampleRate,
      ignoreSpans: [...(user.ignoreSpans ?? envIgnorePaths ?? DEFAULT_IGNORE_PATHS)],
      strictTraceContinuation: user.strictTraceContinuation ?? envStrict ?? false,
    },
    propagation: {
      tracePropagationTargets: [
        ...(user.tracePropagationTargets ??
          envPropagationTargets ??
          (propagatorsNone ? noTargets : DEFAULT_PROPAGATION_TARGETS)),
      ],
      baggageTargets: [
        ...(user.baggageTargets ?? envBaggageTargets ?? (propagatorsNone ? noTargets : DEFAULT_BAGGAGE_TARGETS)),
      ],
      // No peer by default: behind a load balancer every client arrives from a private address.
      baggageAcceptFrom: [...(user.baggageAcceptFrom ?? envBaggageAcceptFrom ?? [])],
    },
    exporters,
    otlp,
    batch,
    logs,
    logLevel: common.logLevel,
    instrumentations: common.instrumentations,
    shutdownTimeoutMs: common.shutdownTimeoutMs,
    captureGenAiContent: common.captureGenAiContent,
    attributeValueLengthLimit: common.attributeValueLengthLimit,
    tracingDisabled: common.tracingDisabled,
    warnings,
  };
  if (dsn !== undefined) config.sentry.dsn = dsn;
  if (!common.exitFlush) config.exitFlush = false;
  if (common.httpServerSpans === 'diagnostics-channel') config.httpServerSpans = 'diagnostics-channel';
  if (profilesSampleRate !== undefined) config.sentry.profilesSampleRate = profilesSampleRate;
  if (user.beforeSend !== undefined) config.sentry.beforeSend = user.beforeSend;
  if (user.beforeBreadcrumb !== undefined) config.sentry.beforeBreadcrumb = user.beforeBreadcrumb;
  if (user.tracesSampler !== undefined) config.sampling.tracesSampler = user.tracesSampler;
  if (user.scrubPatterns !== undefined || user.scrubKeys !== undefined) {
    config.scrubbing = { patterns: [...(user.scrubPatterns ?? [])], keys: [...(user.scrubKeys ?? [])] };
  }
  // Sentry's rule: the orgId option first, else the org in the DSN host.
  const orgId = user.orgId ?? envOrgId ?? dsn?.orgId;
  if (orgId !== undefined) config.sampling.orgId = orgId;
  if (loaded !== undefined) config.configFile = loaded.file;
  return config;
}

function readDsn(reader: EnvReader): ParsedDsn | undefined {
  const raw = reader.string('SENTRY_DSN');
  if (raw === undefined) return undefined;
  const result = parseDsn(raw);
  if (result.ok) return result.dsn;
  reader.problems.invalid('SENTRY_DSN', maskDsn(raw), DSN_ACCEPTED, result.reason);
  return undefined;
}

function readRelease(reader: EnvReader): string | undefined {
  const release = reader.string('SENTRY_RELEASE');
  if (release === undefined) return undefined;
  const problem = releaseProblem(release);
  if (problem !== undefined) reader.problems.invalid('SENTRY_RELEASE', release, RELEASE_ACCEPTED, problem);
  return release;
}

/** SENTRY_TRACES_SAMPLE_RATE, or the rate OTEL_TRACES_SAMPLER maps to; the two must agree when both are set. */
function readTracesSampleRate(reader: EnvReader, warnings: string[]): number {
  const sentryRate = reader.rate('SENTRY_TRACES_SAMPLE_RATE');
  const otel = readOtelSampler(reader, warnings);
  if (sentryRate !== undefined && otel !== undefined && sentryRate !== otel.rate) {
    reader.problems.invalid(
      'SENTRY_TRACES_SAMPLE_RATE',
      String(sentryRate),
      `${RATE_ACCEPTED}, equal to the rate of OTEL_TRACES_SAMPLER when both are set (or unset one of them)`,
      `${otel.source} asks for rate ${otel.rate}`,
    );
  }
  return sentryRate ?? otel?.rate ?? 1;
}

function readOrgId(reader: EnvReader): string | undefined {
  const raw = reader.string('SENTRY_ORG_ID');
  if (raw === undefined) return undefined;
  if (/^\d+$/.test(raw)) return raw;
  reader.problems.invalid('SENTRY_ORG_ID', raw, 'the numeric organization id, e.g. 12345 (o12345 in the DSN host)');
  return undefined;
}
