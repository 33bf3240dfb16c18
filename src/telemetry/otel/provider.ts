/**
 * The OpenTelemetry side: a tracer provider with our sampler, propagator and processors, and the curated
 * instrumentations. Built from the provider and registerInstrumentations rather than NodeSDK: NodeSDK loads
 * the metrics and logs SDKs and their exporters at start-up, which the layer never uses.
 */
import { dirname } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { defaultResource, detectResources, envDetector, hostDetector, processDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { genAiProviderNameProcessor } from './genai-provider-name.js';
import { createInstrumentations } from './instrumentations.js';
import { ignoreOwnTraffic, telemetryUrlMatcher } from './own-traffic.js';
import { propagationInstrumentationHooks } from '../propagation/hooks.js';
import { createPropagator } from '../propagation/propagator.js';
import { safeProcessor } from './safe-processor.js';
import { SharedContextManager } from '../scopes/shared-storage.js';
import { createSampler } from '../sampling/sampler.js';
import { createScopeBridgeProcessor } from '../scopes/scope-to-span.js';
import type { TelemetryConfig } from '../common/types.js';

const DEFAULT_ATTRIBUTE_VALUE_LENGTH = 4096;

/**
 * Imports and builds the instrumentations. Call it before the ESM loader hook is registered: every module
 * imported after that is parsed again by import-in-the-middle to build its wrapper, which made start-up slower
 * than Sentry's own init.
 */
export function loadInstrumentations(config: TelemetryConfig): Promise<Instrumentation[]> {
  const appDir = process.argv[1] ? dirname(process.argv[1]) : process.cwd();
  const hooks = ignoreOwnTraffic(propagationInstrumentationHooks(config), telemetryUrlMatcher(config));
  return createInstrumentations(config.instrumentations, appDir, hooks);
}

/** Starts tracing; resolves with the function that stops it and releases every global it registered. */
export async function startTracing(
  config: TelemetryConfig,
  pipelines: SpanProcessor[],
  instrumentations: Instrumentation[],
  /** Processors that only mark spans as they start (profiling); they run before the pipelines. */
  markers: SpanProcessor[] = [],
): Promise<() => Promise<void>> {
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }))
    .merge(
      resourceFromAttributes({
        ...config.resourceAttributes,
        'service.name': config.serviceName,
        'service.version': config.release,
        'deployment.environment.name': config.environment,
      }),
    );
  const provider = new TracerProvider({
    resource,
    sampler: createSampler(config),
    // The bridge and the GenAI naming write attributes, so they run before any pipeline reads the span.
    spanProcessors: [
      safeProcessor(createScopeBridgeProcessor(config)),
      safeProcessor(genAiProviderNameProcessor()),
      ...markers.map(safeProcessor),
      ...pipelines,
    ],
    // OTel's default value length is unlimited: one 100 KB attribute per request would be exported whole to
    // every backend. The scope bridge cuts at the same 4096; OTEL_[SPAN_]ATTRIBUTE_VALUE_LENGTH_LIMIT still wins.
    ...(process.env.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT || process.env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT
      ? {}
      : { spanLimits: { attributeValueLengthLimit: DEFAULT_ATTRIBUTE_VALUE_LENGTH } }),
  });
  // What NodeTracerProvider.register did: @opentelemetry/sdk-trace (the package of the 2.12 and 3.x lines alike)
  // leaves the globals to the caller.
  context.setGlobalContextManager(new SharedContextManager().enable());
  propagation.setGlobalPropagator(createPropagator(config));
  trace.setGlobalTracerProvider(provider);
  const unregisterInstrumentations = registerInstrumentations({ tracerProvider: provider, instrumentations });

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
    trace.disable();
    context.disable();
    propagation.disable();
  };
}
