/**
 * otel-sentry-bridge's public API. Application code uses this and @opentelemetry/api, nothing else.
 */
export { start, shutdown, type ShutdownReport, type Telemetry } from './lifecycle/start.js';
export { defineConfig } from './config/index.js';
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
} from './api/monitoring.js';
export { captureErrors, monitorPerformance } from './api/decorators.js';
export {
  withAgentSpan,
  withChatSpan,
  withRetrievalSpan,
  withToolSpan,
  withWorkflowSpan,
} from './api/genai.js';
export type { SamplingContext, TracesSampler, UserConfig, Pattern, SentryLevel } from './common/types.js';
