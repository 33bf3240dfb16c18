/**
 * otel-sentry-bridge's public API. Application code uses this and @opentelemetry/api, nothing else. Every type an
 * exported function takes or returns is exported too (test/unit/api/public-api.test.ts keeps the list whole, against
 * a reviewed snapshot of the emitted declarations).
 */
export { start, shutdown, type ShutdownReport, type Telemetry, type TelemetryStats } from './lifecycle/start.js';
export type { PipelineStats } from './export/pipeline.js';
export type { InternalErrorCounts } from './common/internal-errors.js';
export type { SentryEventCounts, SentryEventsDroppedBy } from './sentry/events-ledger.js';
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
  type IsolationOptions,
  type Primitive,
  type SpanInput,
  type StartSpanOptions,
  type TransactionOptions,
  type UserContext,
} from './api/monitoring.js';
export {
  captureErrors,
  monitorPerformance,
  type CaptureErrorsOptions,
  type FunctionDecorator,
  type MonitorPerformanceOptions,
} from './api/decorators.js';
export {
  withAgentSpan,
  withChatSpan,
  withRetrievalSpan,
  withToolSpan,
  withWorkflowSpan,
  type AgentSpanOptions,
  type ChatMessage,
  type ChatRecorder,
  type ChatResult,
  type ChatSpanOptions,
  type RetrievalRecorder,
  type RetrievalSpanOptions,
  type RetrievedDocument,
  type ToolSpanOptions,
  type WorkflowSpanOptions,
} from './api/genai.js';
export type {
  BatchConfig,
  BeforeBreadcrumb,
  BeforeSend,
  EventLike,
  ExporterName,
  LogPipelineName,
  LogsConfig,
  LogsLevel,
  OtlpConfig,
  OtlpLogsConfig,
  OtlpProtocol,
  ParsedDsn,
  Pattern,
  PropagationConfig,
  SamplingConfig,
  SamplingContext,
  ScrubbingConfig,
  SentryLevel,
  TelemetryConfig,
  TracesSampler,
  UserConfig,
} from './common/types.js';
