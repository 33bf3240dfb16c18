/**
 * The shapes shared by the layer's modules: the validated configuration, the user's config module, and the
 * sampling context handed to `tracesSampler`. No logic lives here.
 */
import type { Attributes } from '@opentelemetry/api';

export type ExporterName = 'sentry' | 'otlp' | 'console';

/** The log pipeline of each span backend (logs/backends.ts), by the name stats() and the warnings use. */
export type LogPipelineName = 'sentry-logs' | 'otlp-logs' | 'console-logs';
export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export type SentryLevel = 'fatal' | 'error' | 'warning' | 'log' | 'info' | 'debug';
export type Pattern = string | RegExp;

/** A Sentry DSN, parsed. `orgId` comes from a host such as `o123.ingest.sentry.io`. */
export interface ParsedDsn {
  raw: string;
  protocol: 'http' | 'https';
  host: string;
  port: string;
  path: string;
  projectId: string;
  publicKey: string;
  orgId?: string;
}

/** What `tracesSampler` receives: Sentry's sampling context, computed on an OpenTelemetry span start. */
export interface SamplingContext {
  /** At span start an HTTP server span is named `METHOD url.path`, as Sentry's own SDK shows it. */
  name: string;
  attributes: Attributes;
  parentSampled?: boolean;
  parentSampleRate?: number;
  normalizedRequest?: {
    url?: string;
    method?: string;
    headers?: Record<string, string>;
    query_string?: string;
  };
  /** Sentry's helper: the parent's decision when there is one, else `fallbackRate`. */
  inheritOrSampleWith: (fallbackRate: number) => number;
}

export type TracesSampler = (context: SamplingContext) => number | boolean;

/** A Sentry event or breadcrumb as the hooks see them (Sentry's own types, kept out of the public API). */
export type EventLike = Record<string, unknown>;
export type BeforeSend = (
  event: EventLike,
  hint: Record<string, unknown>,
) => EventLike | null | Promise<EventLike | null>;
export type BeforeBreadcrumb = (breadcrumb: EventLike, hint?: Record<string, unknown>) => EventLike | null;

/** The optional `telemetry.config.{js,mjs}` module: callbacks and lists the environment cannot express. */
export interface UserConfig {
  tracesSampler?: TracesSampler;
  beforeSend?: BeforeSend;
  beforeBreadcrumb?: BeforeBreadcrumb;
  ignoreErrors?: Pattern[];
  /** `url.path` patterns whose requests are never sampled (replaces the default health-check list). */
  ignoreSpans?: Pattern[];
  tracePropagationTargets?: Pattern[];
  baggageTargets?: Pattern[];
  /** IP addresses and CIDR ranges whose non-Sentry baggage is accepted (none by default). */
  baggageAcceptFrom?: string[];
  orgId?: string;
  strictTraceContinuation?: boolean;
  /** More text to scrub from events and spans, added to the defaults: a string matches literally. */
  scrubPatterns?: Pattern[];
  /** More field and attribute names whose values are scrubbed: a string names a key or its last segment. */
  scrubKeys?: Pattern[];
}

export interface OtlpConfig {
  /** Full traces URL (`.../v1/traces` appended to a base endpoint), or undefined when none is configured. */
  tracesUrl?: string;
  headers: Record<string, string>;
  protocol: OtlpProtocol;
  timeoutMillis: number;
  compression: 'gzip' | 'none';
}

/** The collector's logs endpoint: the traces settings, with OTEL_EXPORTER_OTLP_LOGS_* in place of _TRACES_. */
export interface OtlpLogsConfig extends Omit<OtlpConfig, 'tracesUrl'> {
  /** Full logs URL (`.../v1/logs` appended to a base endpoint), or undefined when none is configured. */
  url?: string;
}

/** The lowest severity exported, by name; `off` exports no log record. */
export type LogsLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

export interface LogsConfig {
  /** TELEMETRY_LOGS (default `info` when a backend is configured, else `off`). */
  level: LogsLevel;
  /** TELEMETRY_LOGS_SAMPLED_ONLY (default false): drop the records of traces that were not sampled. */
  sampledOnly: boolean;
  /** TELEMETRY_LOGS_RATE_LIMIT: records per second per process; beyond it records are dropped and counted. */
  rateLimit: number;
  otlp: OtlpLogsConfig;
  /** OTEL_BLRP_*: the queue and batches of each log pipeline. */
  batch: BatchConfig;
}

export interface BatchConfig {
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMillis: number;
  exportTimeoutMillis: number;
}

export interface SamplingConfig {
  tracesSampleRate?: number;
  tracesSampler?: TracesSampler;
  ignoreSpans: Pattern[];
  orgId?: string;
  strictTraceContinuation: boolean;
}

export interface PropagationConfig {
  /** Hosts that receive trace headers and the `sentry-*` baggage. */
  tracePropagationTargets: Pattern[];
  /** Hosts that receive our non-Sentry baggage entries such as `tenant.id`. */
  baggageTargets: Pattern[];
  /**
   * Peers (IP addresses and CIDR ranges) whose non-Sentry baggage is accepted; their `tenant.id` is recorded as
   * `tenant.received_id`, never as `tenant.id`. Empty by default.
   */
  baggageAcceptFrom: string[];
}

/** The user's additions to the default scrubbing rules (config module `scrubPatterns`, `scrubKeys`). */
export interface ScrubbingConfig {
  patterns: Pattern[];
  keys: Pattern[];
}

/** Everything the layer reads, parsed once, validated, typed. */
export interface TelemetryConfig {
  serviceName: string;
  environment: string;
  release: string;
  resourceAttributes: Record<string, string>;
  sentry: {
    dsn?: ParsedDsn;
    debug: boolean;
    sendDefaultPii: boolean;
    /**
     * SENTRY_TRACK_SESSIONS (default false): a release-health session per incoming request, as Sentry's
     * `httpIntegration({ sessions })`. Off by default: it was a sixth of the express route's throughput here.
     */
    trackSessions: boolean;
    profilesSampleRate?: number;
    beforeSend?: BeforeSend;
    beforeBreadcrumb?: BeforeBreadcrumb;
    ignoreErrors: Pattern[];
  };
  sampling: SamplingConfig;
  propagation: PropagationConfig;
  /** Absent when the config module adds no scrubbing rule. */
  scrubbing?: ScrubbingConfig;
  /** OTEL_SDK_DISABLED (default false): no span, instrumentation or propagation; Sentry still captures errors. */
  tracingDisabled?: boolean;
  /** Empty means `none`: spans are sampled and context propagates, nothing is exported. */
  exporters: ExporterName[];
  otlp: OtlpConfig;
  batch: BatchConfig;
  /** Application logs and the log records of instrumentations (logs/). */
  logs: LogsConfig;
  logLevel: 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';
  instrumentations: 'default' | 'all';
  /**
   * TELEMETRY_HTTP_SERVER_SPANS=diagnostics-channel: the layer makes the HTTP server spans on Node's diagnostics
   * channels, instrumentation-http only the client ones. Absent: instrumentation-http makes both (the same spans).
   */
  httpServerSpans?: 'diagnostics-channel';
  shutdownTimeoutMs: number;
  /**
   * false (TELEMETRY_EXIT_FLUSH=false): process.exit() exits at once, as under plain Node, and what was still to
   * deliver is counted on stderr instead of flushed. Absent: the exit waits for the flush (operations.md).
   */
  exitFlush?: boolean;
  captureGenAiContent: boolean;
  /**
   * OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT, else OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT (default 4096; OpenTelemetry's
   * own default is unlimited): longer string attribute values are cut, by the SDK and by the scope bridge alike.
   */
  attributeValueLengthLimit: number;
  /** Start-up warnings gathered while parsing, printed once by start(). */
  warnings: string[];
  /** The config module that was loaded, if any. */
  configFile?: string;
}
