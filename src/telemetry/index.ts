/**
 * otel-sentry-bridge's public API. Application code uses this and @opentelemetry/api, nothing else.
 */
export { start, shutdown, type ShutdownReport, type Telemetry } from './start.js';
export { defineConfig } from './config.js';
export type { SamplingContext, TracesSampler, UserConfig, Pattern, SentryLevel } from './types.js';
