/**
 * The OpenTelemetry side: a tracer provider with our sampler, propagator and processors, and the curated
 * instrumentations. Built from the provider and registerInstrumentations rather than NodeSDK: NodeSDK loads
 * the metrics SDK and every exporter at start-up; the layer builds its logs side itself (logs/setup.ts).
 */
import { dirname } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
  type Resource,
} from '@opentelemetry/resources';
import type { LoggerProvider } from '@opentelemetry/sdk-logs';
import { TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { genAiProviderNameProcessor } from './genai-provider-name.js';
import { createInstrumentations } from './instrumentations.js';
import { ignoreOwnTraffic, telemetryUrlMatcher } from './own-traffic.js';
import { propagationInstrumentationHooks } from '../propagation/hooks.js';
import { createPropagator } from '../propagation/propagator.js';
import { safeProcessor } from './safe-processor.js';
import { startServerSpans } from './server-spans.js';
import { ATTR_DEPLOYMENT_ENVIRONMENT_NAME, ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '../common/semconv.js';
import { SharedContextManager } from '../scopes/shared-storage.js';
import { createSampler } from '../sampling/sampler.js';
import { createScopeBridgeProcessor } from '../scopes/scope-to-span.js';
import type { TelemetryConfig } from '../common/types.js';

/**
 * Imports and builds the instrumentations. Call it before the ESM loader hook is registered: every module
 * imported after that is parsed again by import-in-the-middle to build its wrapper, which made start-up slower
 * than Sentry's own init.
 */
export function loadInstrumentations(config: TelemetryConfig): Promise<Instrumentation[]> {
  const appDir = process.argv[1] ? dirname(process.argv[1]) : process.cwd();
  const hooks = ignoreOwnTraffic(propagationInstrumentationHooks(config), telemetryUrlMatcher(config));
  // With diagnostics-channel server spans (server-spans.ts), instrumentation-http keeps its client half only.
  if (config.httpServerSpans === 'diagnostics-channel') {
    hooks.http = { ...hooks.http, disableIncomingRequestInstrumentation: true };
  }
  // pino and winston send their records to the logs pipelines only when logs are on (logs/).
  const logSending = config.logs.level !== 'off';
  return createInstrumentations(config.instrumentations, appDir, hooks, logSending);
}

/** The service's resource, shared by spans and log records. */
export function createResource(config: TelemetryConfig): Resource {
  return defaultResource()
    .merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }))
    .merge(
      resourceFromAttributes({
        ...config.resourceAttributes,
        [ATTR_SERVICE_NAME]: config.serviceName,
        [ATTR_SERVICE_VERSION]: config.release,
        [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
      }),
    );
}

/** Starts tracing; resolves with the function that stops it and releases every global it registered. */
export async function startTracing(
  config: TelemetryConfig,
  pipelines: SpanProcessor[],
  instrumentations: Instrumentation[],
  /** Processors that only mark spans as they start (profiling); they run before the pipelines. */
  markers: SpanProcessor[] = [],
  resource: Resource = createResource(config),
  /** The logs side's provider (logs/setup.ts), for the instrumentations that emit records (pino, winston, OpenAI). */
  loggerProvider?: LoggerProvider,
): Promise<() => Promise<void>> {
  const provider = new TracerProvider({
    resource,
    sampler: createSampler(config),
    // The bridge and the GenAI naming write attributes, so they run before any pipeline reads the span.
    spanProcessors: [
      safeProcessor(createScopeBridgeProcessor(config), 'scope-bridge'),
      safeProcessor(genAiProviderNameProcessor(), 'genai-provider-name'),
      ...markers.map((marker) => safeProcessor(marker, 'profiling')),
      ...pipelines,
    ],
    // The limit the config parsed (OTEL_[SPAN_]ATTRIBUTE_VALUE_LENGTH_LIMIT, default 4096); the scope bridge cuts
    // its values at the same length.
    spanLimits: { attributeValueLengthLimit: config.attributeValueLengthLimit },
  });
  // What NodeTracerProvider.register did: @opentelemetry/sdk-trace (the package of the 2.12 and 3.x lines alike)
  // leaves the globals to the caller.
  context.setGlobalContextManager(new SharedContextManager().enable());
  propagation.setGlobalPropagator(createPropagator(config));
  trace.setGlobalTracerProvider(provider);
  const unregisterInstrumentations = registerInstrumentations({
    tracerProvider: provider,
    ...(loggerProvider ? { loggerProvider } : {}),
    instrumentations,
  });
  const stopServerSpans =
    config.httpServerSpans === 'diagnostics-channel'
      ? startServerSpans(provider, propagationInstrumentationHooks(config).http, instrumentations)
      : undefined;

  // instrumentation-http patches node:http once, for whichever loader asks first. When a CommonJS dependency
  // (express) requires it first, the ESM namespace stays unpatched and named imports (`import { request } from
  // 'node:http'`) go untraced. Importing both through the ESM hook first patches the namespace and, through
  // its default export, the CommonJS exports too.
  await import('node:http');
  await import('node:https');

  return async () => {
    await provider.shutdown();
    // Unpatched modules and free API globals: a later start() registers afresh instead of finding them taken.
    unregisterInstrumentations();
    stopServerSpans?.();
    trace.disable();
    context.disable();
    propagation.disable();
  };
}
