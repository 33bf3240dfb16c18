/**
 * SENTRY_PROFILES_SAMPLE_RATE -> continuous profiling with the trace lifecycle (docs/profiling.md). This is the
 * one module start.ts imports; it loads the native profiler only when the rate is above 0.
 */
import type { Client, Integration } from '@sentry/core';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { TelemetryConfig } from '../common/types.js';
import { loadNativeProfiler } from './loader.js';
import { ChunkSender, type ChunkStats } from './sender.js';
import { DEFAULT_CHUNK_INTERVAL_MS, ProfilerSession } from './session.js';
import { TraceLifecycleProcessor } from './trace-lifecycle.js';
import { profilingIntegration } from './integration.js';

/** Internal (tests): the chunk interval in ms, instead of Sentry's 60 s. */
export const CHUNK_INTERVAL_ENV = 'OTEL_SENTRY_BRIDGE_PROFILE_CHUNK_INTERVAL_MS';

export interface Profiling {
  readonly profilerId: string;
  /** Runs before the exporters: it marks spans at their start. */
  readonly processor: SpanProcessor;
  readonly integration: Integration;
  stats(): ChunkStats & { droppedSamples: number };
}

function sdkOf(client: Client | undefined): { name: string; version: string } {
  const sdk = client?.getSdkMetadata()?.sdk;
  return { name: sdk?.name ?? 'sentry.javascript.node', version: sdk?.version ?? '0.0.0' };
}

function chunkInterval(env: NodeJS.ProcessEnv): number {
  const value = Number(env[CHUNK_INTERVAL_ENV]);
  return Number.isInteger(value) && value >= 100 ? value : DEFAULT_CHUNK_INTERVAL_MS;
}

/**
 * Undefined when profiling is off (rate unset or 0, tracing disabled), has nowhere to go (no DSN) or the native
 * profiler cannot run here; the last two print one warning and the app runs unprofiled.
 */
export function createProfiling(config: TelemetryConfig): Profiling | undefined {
  const rate = config.sentry.profilesSampleRate ?? 0;
  if (rate <= 0 || config.tracingDisabled) return undefined;
  if (!config.sentry.dsn) {
    // Chunks go only to Sentry: without a DSN the profiler would sample for nothing.
    process.stderr.write(
      'otel-sentry-bridge: warning: profiling is off: SENTRY_PROFILES_SAMPLE_RATE is set but SENTRY_DSN is not\n',
    );
    return undefined;
  }
  const load = loadNativeProfiler();
  if (!load.ok) {
    process.stderr.write(`otel-sentry-bridge: warning: profiling is off: ${load.reason}\n`);
    return undefined;
  }
  let client: Client | undefined;
  const sender = new ChunkSender(() => client);
  const session = new ProfilerSession(
    load.profiler,
    sender,
    () => ({
      release: config.release,
      environment: config.environment,
      sdk: sdkOf(client),
    }),
    chunkInterval(process.env),
  );
  const processor = new TraceLifecycleProcessor(session, rate);
  return {
    profilerId: session.profilerId,
    processor,
    integration: profilingIntegration(session, processor, (c) => (client = c)),
    stats: () => ({ ...sender.stats, droppedSamples: session.droppedSamples }),
  };
}
