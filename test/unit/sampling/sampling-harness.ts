/** Builds TelemetryConfig objects and an in-process tracer wired with the sampler and propagator under test. */
import {
  ROOT_CONTEXT,
  SpanKind,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createPropagator } from '../../../src/telemetry/propagation/propagator.js';
import { createSampler } from '../../../src/telemetry/sampling/sampler.js';
import type { ParsedDsn, SamplingConfig, TelemetryConfig } from '../../../src/telemetry/common/types.js';
import { harnessConfig } from '../../fixtures/telemetry-config.js';

export function dsn(orgId?: string): ParsedDsn {
  const host = orgId ? `o${orgId}.ingest.sentry.io` : 'sentry.example.com';
  return {
    raw: `https://abc123@${host}/42`,
    protocol: 'https',
    host,
    port: '',
    path: '',
    projectId: '42',
    publicKey: 'abc123',
    ...(orgId ? { orgId } : {}),
  };
}

export function makeConfig(
  overrides: {
    sampling?: Partial<SamplingConfig>;
    dsn?: ParsedDsn | undefined;
    environment?: string;
    release?: string;
    tracePropagationTargets?: TelemetryConfig['propagation']['tracePropagationTargets'];
    baggageTargets?: TelemetryConfig['propagation']['baggageTargets'];
    baggageAcceptFrom?: TelemetryConfig['propagation']['baggageAcceptFrom'];
  } = {},
): TelemetryConfig {
  return harnessConfig({
    serviceName: 'svc',
    environment: overrides.environment ?? 'staging',
    release: overrides.release ?? 'svc@1.2.3',
    sentry: {
      ...('dsn' in overrides ? (overrides.dsn ? { dsn: overrides.dsn } : {}) : { dsn: dsn('17') }),
      debug: false,
      sendDefaultPii: false,
      trackSessions: false,
      ignoreErrors: [],
    },
    sampling: {
      tracesSampleRate: 1,
      ignoreSpans: ['/api/health', '/health', '/healthz', '/livez', '/readyz'],
      strictTraceContinuation: false,
      ...overrides.sampling,
    },
    propagation: {
      tracePropagationTargets: overrides.tracePropagationTargets ?? [/.*/],
      baggageTargets: overrides.baggageTargets ?? [/^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/, '127.0.0.1'],
      baggageAcceptFrom: overrides.baggageAcceptFrom ?? ['127.0.0.1'],
    },
  });
}

export interface Harness {
  config: TelemetryConfig;
  exporter: InMemorySpanExporter;
  provider: BasicTracerProvider;
  extract(headers: Record<string, string | string[]>): Context;
  /** An HTTP server span started from the extracted headers, as instrumentation-http starts it. */
  serverSpan(
    headers: Record<string, string | string[]>,
    path?: string,
    method?: string,
  ): { span: Span; context: Context };
  inject(context: Context, carrier?: Record<string, string>): Record<string, string>;
}

export function makeHarness(config: TelemetryConfig): Harness {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    sampler: createSampler(config),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('test');
  const propagator = createPropagator(config);
  const extract = (headers: Record<string, string | string[]>): Context =>
    propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  return {
    config,
    exporter,
    provider,
    extract,
    serverSpan(headers, path = '/api/items', method = 'GET') {
      const parent = extract(headers);
      const attributes: Attributes = { 'http.request.method': method, 'url.path': path, 'url.scheme': 'http' };
      const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes }, parent);
      return { span, context: trace.setSpan(parent, span) };
    },
    inject(context, carrier = {}) {
      propagator.inject(context, carrier, defaultTextMapSetter);
      return carrier;
    },
  };
}
