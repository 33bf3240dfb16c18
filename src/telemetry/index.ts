/**
 * otel-sentry-bridge's public API. Application code uses this and @opentelemetry/api, nothing else.
 */
export { start, shutdown, type ShutdownReport, type Telemetry } from './start.js';
export { defineConfig } from './config.js';
export {
  addBreadcrumb,
  captureException,
  captureMessage,
  flush,
  isEnabled,
  setContext,
  setTag,
  setUserContext,
  startSpan,
  startTransaction,
  withIsolation,
  type BreadcrumbInput,
  type CaptureOptions,
  type SpanInput,
  type TransactionOptions,
  type UserContext,
} from './monitoring.js';
export { captureErrors, monitorPerformance } from './decorators.js';
export {
  withAgentSpan,
  withChatSpan,
  withRetrievalSpan,
  withToolSpan,
  withWorkflowSpan,
} from './genai.js';
export type { SamplingContext, TracesSampler, UserConfig, Pattern, SentryLevel } from './types.js';
