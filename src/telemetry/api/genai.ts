/**
 * Span helpers for AI workloads (workflows, agents, tools, retrieval, chat) in the OpenTelemetry GenAI semantic
 * conventions. The span processor that lifts the official OpenAI instrumentation's older `gen_ai.system` to
 * the current `gen_ai.provider.name` is otel/genai-provider-name.ts.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_AGENT_DESCRIPTION,
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_DATA_SOURCE_ID,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RETRIEVAL_DOCUMENTS,
  ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_WORKFLOW_NAME,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
  GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL,
} from '../common/semconv.js';
import { runInSpan } from './monitoring.js';
import { getRuntimeConfig } from '../common/runtime.js';

const TRACER_NAME = 'otel-sentry-bridge/genai';

/** Retrieval result figures have no GenAI convention yet; these names stay stable for dashboards. */
export const ATTR_RETRIEVAL_RESULT_COUNT = 'retrieval.result_count';
export const ATTR_RETRIEVAL_TOP_SCORE = 'retrieval.top_score';

/**
 * Whether prompts, answers and retrieval queries may be recorded on spans. Off unless
 * `TELEMETRY_CAPTURE_GENAI_CONTENT` turned it on: secure by default, no prompt contents leave the process unless asked.
 */
export function captureGenAiContent(): boolean {
  return getRuntimeConfig()?.captureGenAiContent ?? false;
}

/** Runs fn inside an active span that ends when fn returns or settles, sync or async alike. */
function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, fn: (span: Span) => T): T {
  return runInSpan(name, { kind, attributes }, fn, TRACER_NAME);
}

/** The old order's name as the options' `name` (the new order passes the options object itself). */
function withName<O extends object>(first: O | string, rest: Omit<O, 'name'> | undefined): O {
  return typeof first === 'string' ? ({ ...rest, name: first } as unknown as O) : first;
}

export interface WorkflowSpanOptions {
  /** The workflow's name: the span is `invoke_workflow <name>`. */
  name: string;
  /** A conversation or ticket id that groups several workflow runs. */
  conversationId?: string;
  attributes?: Attributes;
}

/** `invoke_workflow <name>`: the root of a multi-agent run. */
export function withWorkflowSpan<T>(options: WorkflowSpanOptions, fn: (span: Span) => T): T;
/** @deprecated Pass the options first: `withWorkflowSpan({ name, ...options }, fn)`. Since 0.2.0; this order goes in 0.3.0. */
export function withWorkflowSpan<T>(
  name: string,
  fn: (span: Span) => T,
  options?: Omit<WorkflowSpanOptions, 'name'>,
): T;
export function withWorkflowSpan<T>(
  first: WorkflowSpanOptions | string,
  fn: (span: Span) => T,
  legacy?: Omit<WorkflowSpanOptions, 'name'>,
): T {
  const options = withName(first, legacy);
  const attributes: Attributes = {
    ...options.attributes,
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW,
    [ATTR_GEN_AI_WORKFLOW_NAME]: options.name,
  };
  if (options.conversationId !== undefined) attributes[ATTR_GEN_AI_CONVERSATION_ID] = options.conversationId;
  return inSpan(`${GEN_AI_OPERATION_NAME_VALUE_INVOKE_WORKFLOW} ${options.name}`, SpanKind.INTERNAL, attributes, fn);
}

export interface AgentSpanOptions {
  /** The agent's name: the span is `invoke_agent <name>`. */
  name: string;
  description?: string;
  /** The provider of the model the agent uses, when it uses one (`openai`, `local`, ...). */
  provider?: string;
  model?: string;
  conversationId?: string;
  attributes?: Attributes;
}

/** `invoke_agent <name>`: one agent's turn inside a workflow. */
export function withAgentSpan<T>(options: AgentSpanOptions, fn: (span: Span) => T): T;
/** @deprecated Pass the options first: `withAgentSpan({ name, ...options }, fn)`. Since 0.2.0; this order goes in 0.3.0. */
export function withAgentSpan<T>(agentName: string, fn: (span: Span) => T, options?: Omit<AgentSpanOptions, 'name'>): T;
export function withAgentSpan<T>(
  first: AgentSpanOptions | string,
  fn: (span: Span) => T,
  legacy?: Omit<AgentSpanOptions, 'name'>,
): T {
  const options = withName(first, legacy);
  const attributes: Attributes = {
    ...options.attributes,
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
    [ATTR_GEN_AI_AGENT_NAME]: options.name,
  };
  if (options.description !== undefined) attributes[ATTR_GEN_AI_AGENT_DESCRIPTION] = options.description;
  if (options.provider !== undefined) attributes[ATTR_GEN_AI_PROVIDER_NAME] = options.provider;
  if (options.model !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = options.model;
  if (options.conversationId !== undefined) attributes[ATTR_GEN_AI_CONVERSATION_ID] = options.conversationId;
  return inSpan(`${GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT} ${options.name}`, SpanKind.INTERNAL, attributes, fn);
}

export interface ToolSpanOptions {
  /** The tool's name: the span is `execute_tool <name>`. */
  name: string;
  /** `function`, `extension` or `datastore`, as the conventions name tool types. */
  type?: string;
  attributes?: Attributes;
}

/** `execute_tool <name>`: an agent acting on the outside world. */
export function withToolSpan<T>(options: ToolSpanOptions, fn: (span: Span) => T): T;
/** @deprecated Pass the options first: `withToolSpan({ name, ...options }, fn)`. Since 0.2.0; this order goes in 0.3.0. */
export function withToolSpan<T>(toolName: string, fn: (span: Span) => T, options?: Omit<ToolSpanOptions, 'name'>): T;
export function withToolSpan<T>(
  first: ToolSpanOptions | string,
  fn: (span: Span) => T,
  legacy?: Omit<ToolSpanOptions, 'name'>,
): T {
  const options = withName(first, legacy);
  const attributes: Attributes = {
    ...options.attributes,
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
    [ATTR_GEN_AI_TOOL_NAME]: options.name,
  };
  if (options.type !== undefined) attributes[ATTR_GEN_AI_TOOL_TYPE] = options.type;
  return inSpan(`${GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL} ${options.name}`, SpanKind.INTERNAL, attributes, fn);
}

export interface RetrievedDocument {
  id: string;
  score: number;
}

/** What a retrieval span learns once the search has run. */
export interface RetrievalRecorder {
  setResults(documents: readonly RetrievedDocument[]): void;
}

export interface RetrievalSpanOptions {
  /** The knowledge base searched: the span is `retrieval <source>`. */
  source: string;
  /** The query text; recorded only with content capture on. */
  query: string;
  attributes?: Attributes;
}

/**
 * `retrieval <source>`: a search in a knowledge base. The query text is recorded only with content capture on;
 * document ids and scores always are (they identify articles, not what the customer wrote).
 */
export function withRetrievalSpan<T>(
  options: RetrievalSpanOptions,
  fn: (recorder: RetrievalRecorder, span: Span) => T,
): T;
/** @deprecated Pass the options first: `withRetrievalSpan({ source, query }, fn)`. Since 0.2.0; this order goes in 0.3.0. */
export function withRetrievalSpan<T>(
  source: string,
  query: string,
  fn: (recorder: RetrievalRecorder, span: Span) => T,
): T;
export function withRetrievalSpan<T>(
  first: RetrievalSpanOptions | string,
  second: string | ((recorder: RetrievalRecorder, span: Span) => T),
  third?: (recorder: RetrievalRecorder, span: Span) => T,
): T {
  const options: RetrievalSpanOptions = typeof first === 'string' ? { source: first, query: String(second) } : first;
  const fn = (typeof second === 'function' ? second : third) as (recorder: RetrievalRecorder, span: Span) => T;
  const attributes: Attributes = {
    ...options.attributes,
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL,
    [ATTR_GEN_AI_DATA_SOURCE_ID]: options.source,
  };
  if (captureGenAiContent()) attributes[ATTR_GEN_AI_RETRIEVAL_QUERY_TEXT] = options.query;
  return inSpan(`${GEN_AI_OPERATION_NAME_VALUE_RETRIEVAL} ${options.source}`, SpanKind.CLIENT, attributes, (span) => {
    const recorder: RetrievalRecorder = {
      setResults(documents) {
        span.setAttribute(ATTR_RETRIEVAL_RESULT_COUNT, documents.length);
        span.setAttribute(
          ATTR_RETRIEVAL_TOP_SCORE,
          documents.reduce((top, d) => Math.max(top, d.score), 0),
        );
        span.setAttribute(
          ATTR_GEN_AI_RETRIEVAL_DOCUMENTS,
          JSON.stringify(documents.map((d) => ({ id: d.id, score: d.score }))),
        );
      },
    };
    return fn(recorder, span);
  });
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatResult {
  responseModel?: string;
  responseId?: string;
  inputTokens?: number;
  outputTokens?: number;
  finishReasons?: string[];
  /** The answer; recorded only with content capture on. */
  output?: string;
}

/** What a chat span learns from the model's answer. */
export interface ChatRecorder {
  setResult(result: ChatResult): void;
}

export interface ChatSpanOptions {
  /** `gen_ai.provider.name`: `openai`, `local`, ... */
  provider: string;
  /** The model asked: the span is `chat <model>`. */
  model: string;
  /** The prompt; recorded only with content capture on. */
  messages: readonly ChatMessage[];
  attributes?: Attributes;
}

/**
 * Content capture uses the conventions' structured message form, serialised as JSON on spans; the OpenAI
 * instrumentation's content is written in the same form (logs/genai-content.ts).
 */
function toConventionMessages(messages: readonly ChatMessage[], finishReason?: string): string {
  return JSON.stringify(
    messages.map((m) => ({
      role: m.role,
      parts: [{ type: 'text', content: m.content }],
      ...(finishReason !== undefined ? { finish_reason: finishReason } : {}),
    })),
  );
}

/**
 * `chat <model>`: a completion made by code the official instrumentations do not cover (a local model, a
 * hand-written client). Calls through the `openai` SDK are traced by the OpenAI instrumentation instead; do not
 * wrap them in this span as well.
 */
export function withChatSpan<T>(options: ChatSpanOptions, fn: (recorder: ChatRecorder, span: Span) => T): T;
/** @deprecated Pass the options first: `withChatSpan({ provider, model, messages }, fn)`. Since 0.2.0; this order goes in 0.3.0. */
export function withChatSpan<T>(
  provider: string,
  model: string,
  messages: readonly ChatMessage[],
  fn: (recorder: ChatRecorder, span: Span) => T,
): T;
export function withChatSpan<T>(
  first: ChatSpanOptions | string,
  second: string | ((recorder: ChatRecorder, span: Span) => T),
  messages?: readonly ChatMessage[],
  last?: (recorder: ChatRecorder, span: Span) => T,
): T {
  const options: ChatSpanOptions =
    typeof first === 'string' ? { provider: first, model: String(second), messages: messages ?? [] } : first;
  const fn = (typeof second === 'function' ? second : last) as (recorder: ChatRecorder, span: Span) => T;
  const capture = captureGenAiContent();
  const attributes: Attributes = {
    ...options.attributes,
    [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_CHAT,
    [ATTR_GEN_AI_PROVIDER_NAME]: options.provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: options.model,
  };
  if (capture) attributes[ATTR_GEN_AI_INPUT_MESSAGES] = toConventionMessages(options.messages);
  return inSpan(`${GEN_AI_OPERATION_NAME_VALUE_CHAT} ${options.model}`, SpanKind.CLIENT, attributes, (span) => {
    const recorder: ChatRecorder = {
      setResult(result) {
        if (result.responseModel !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_MODEL, result.responseModel);
        if (result.responseId !== undefined) span.setAttribute(ATTR_GEN_AI_RESPONSE_ID, result.responseId);
        if (result.inputTokens !== undefined) span.setAttribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, result.inputTokens);
        if (result.outputTokens !== undefined) {
          span.setAttribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, result.outputTokens);
        }
        if (result.finishReasons !== undefined) {
          span.setAttribute(ATTR_GEN_AI_RESPONSE_FINISH_REASONS, result.finishReasons);
        }
        if (capture && result.output !== undefined) {
          const output = toConventionMessages(
            [{ role: 'assistant', content: result.output }],
            result.finishReasons?.[0],
          );
          span.setAttribute(ATTR_GEN_AI_OUTPUT_MESSAGES, output);
        }
      },
    };
    return fn(recorder, span);
  });
}
