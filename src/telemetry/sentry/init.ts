/**
 * Sentry in the own-pipeline mode: errors, breadcrumbs and per-request scopes, while OpenTelemetry owns every
 * span. No tracesSampleRate and no OpenTelemetry setup of Sentry's own (either would start a second trace id
 * and a second sentry-trace header).
 */
import http from 'node:http';
import https from 'node:https';
import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import * as Sentry from '../common/sentry-node.js';
import type { Integration } from '@sentry/core';
import { exceptionDedupeIntegration } from './exception-dedupe.js';
import { requestIsolationIntegration } from '../scopes/request-isolation.js';
import { SentryEventLedger } from './events-ledger.js';
import { uncaughtExceptionIntegration } from './uncaught-exceptions.js';
import type { TelemetryConfig } from '../common/types.js';

export interface SentrySetupOptions {
  /** URLs whose requests must not become breadcrumbs (the OTLP and Sentry endpoints). */
  isTelemetryUrl: (url: string) => boolean;
  /** Called once for an uncaught exception, after Sentry captured it. */
  onFatalError: (error: Error) => void;
  /** Integrations other modules of the layer contribute (scope bridge, trace links, redaction). */
  integrations: Integration[];
  beforeSend?: Sentry.NodeOptions['beforeSend'];
  beforeBreadcrumb?: Sentry.NodeOptions['beforeBreadcrumb'];
  /** Counts every event's outcome at the transport (sentry/events-ledger.ts). */
  events?: SentryEventLedger;
}

/**
 * Without a DSN the Sentry client would not set up its integrations at all, so requests would share one scope.
 * With Sentry off the client therefore runs on a placeholder DSN and a transport that sends nothing: scopes,
 * breadcrumbs and event processing behave the same, and nothing leaves the process.
 */
const OFFLINE_DSN = 'http://offline@127.0.0.1:9/0';
const offlineTransport = (): ReturnType<typeof Sentry.makeNodeTransport> => ({
  send: async () => ({}),
  flush: async () => true,
});

type TransportOptions = Parameters<typeof Sentry.makeNodeTransport>[0];
type HttpModule = NonNullable<TransportOptions['httpModule']>;

/**
 * Sentry's node transport sets no request timeout: an upload to a Sentry that accepts the connection and never
 * answers holds a socket, and so a process whose work is done, forever. An idle timeout bounds each upload.
 */
function boundedHttpModule(module: typeof http | typeof https, idleTimeoutMs: number): HttpModule {
  return {
    request: (requestOptions, callback) => {
      const req = module.request(requestOptions, callback);
      req.setTimeout(idleTimeoutMs, () => req.destroy(new Error(`no answer from Sentry within ${idleTimeoutMs} ms`)));
      return req;
    },
  };
}

/**
 * Sentry's uploads run with tracing suppressed, so they never become spans of the user's trace; each envelope's
 * outcome is counted by the ledger.
 */
function untracedTransport(
  options: TransportOptions,
  idleTimeoutMs: number,
  events: SentryEventLedger,
): ReturnType<typeof Sentry.makeNodeTransport> {
  const module = new URL(options.url).protocol === 'https:' ? https : http;
  const transport = events.wrapTransport(
    { ...options, httpModule: boundedHttpModule(module, idleTimeoutMs) },
    Sentry.makeNodeTransport,
  );
  return {
    ...transport,
    send: (envelope) => context.with(suppressTracing(context.active()), () => transport.send(envelope)),
  };
}

/** Sensitive request headers, never collected when PII is off (Sentry v11 collects headers by default). */
const SENSITIVE_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
];

/**
 * Sentry v11 replaced sendDefaultPii with per-category `dataCollection`, and collects nearly everything by
 * default; SENTRY_SEND_DEFAULT_PII=false (our default) maps onto the categories that can carry personal data.
 */
function dataCollection(config: TelemetryConfig): Sentry.NodeOptions['dataCollection'] {
  const genAI = { inputs: config.captureGenAiContent, outputs: config.captureGenAiContent };
  if (config.sentry.sendDefaultPii) return { genAI };
  return {
    userInfo: false,
    cookies: false,
    httpHeaders: { request: { deny: SENSITIVE_HEADERS }, response: { deny: SENSITIVE_HEADERS } },
    httpBodies: [],
    databaseQueryData: false,
    queues: false,
    stackFrameVariables: false,
    genAI,
  };
}

export function initSentry(config: TelemetryConfig, options: SentrySetupOptions): Sentry.NodeClient | undefined {
  // Sentry.init reads SENTRY_TRACES_SAMPLE_RATE itself when no rate is passed, which would turn its own tracing
  // on; the rate belongs to our sampler, so hide it for the duration of init.
  const savedRate = process.env.SENTRY_TRACES_SAMPLE_RATE;
  delete process.env.SENTRY_TRACES_SAMPLE_RATE;
  try {
    return Sentry.init({
      dsn: config.sentry.dsn?.raw ?? OFFLINE_DSN,
      transport: config.sentry.dsn
        ? (transportOptions) =>
            untracedTransport(transportOptions, config.shutdownTimeoutMs, options.events ?? new SentryEventLedger())
        : offlineTransport,
      environment: config.environment,
      release: config.release,
      debug: config.sentry.debug,
      dataCollection: dataCollection(config),
      ...(options.beforeSend ? { beforeSend: options.beforeSend } : {}),
      ...(options.beforeBreadcrumb ? { beforeBreadcrumb: options.beforeBreadcrumb } : {}),
      // Sentry v11 otherwise registers module hooks that rewrite express & co. at load time to publish the
      // diagnostics channels of its own tracing integrations, which this mode does not run: about 200 ms of
      // start-up measured here, and a transform on every module load.
      enableRuntimeChannelInjection: false,
      // Only what the own-pipeline mode needs: start-up loads no tracing integration of Sentry's.
      defaultIntegrations: false,
      integrations: [
        Sentry.eventFiltersIntegration(),
        Sentry.functionToStringIntegration(),
        Sentry.linkedErrorsIntegration(),
        // Sentry's dedupe drops an event equal to the one before it: business events are equal by design.
        exceptionDedupeIntegration(),
        // Forks the isolation scope of each incoming request (request-isolation.ts); Sentry's own fork, below,
        // takes over only for what the lean one does not do (request bodies, sessions). Before requestData: its
        // event processor expands the request data that requestData's then reads.
        requestIsolationIntegration({ sessions: config.sentry.trackSessions }),
        Sentry.requestDataIntegration(),
        Sentry.systemErrorIntegration(),
        Sentry.consoleIntegration(),
        // Outgoing-request breadcrumbs; spans and propagation stay with OpenTelemetry.
        // Request sessions (release health) cost a scope write, a listener and an aggregate update per
        // request: measured at 0.70x -> 0.87x of the raw SDK's throughput on a minimal route, so opt-in.
        Sentry.httpIntegration({
          spans: false,
          tracePropagation: false,
          sessions: config.sentry.trackSessions,
          ignoreOutgoingRequests: (url) => options.isTelemetryUrl(url),
        }),
        // Every uncaught exception captured (Sentry's own integration captures the first one only).
        uncaughtExceptionIntegration(options.onFatalError),
        // `warn` (Sentry's default) would keep alive a process Node ends; the layer applies Node's outcome.
        Sentry.onUnhandledRejectionIntegration({ mode: 'none' }),
        Sentry.contextLinesIntegration(),
        Sentry.nodeContextIntegration(),
        Sentry.childProcessIntegration(),
        Sentry.openTelemetryIntegration(),
        ...options.integrations,
      ],
    });
  } finally {
    if (savedRate !== undefined) process.env.SENTRY_TRACES_SAMPLE_RATE = savedRate;
  }
}
