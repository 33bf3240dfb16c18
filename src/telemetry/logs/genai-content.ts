/**
 * Prompts and completions of the official OpenAI instrumentation, onto the chat span they belong to. The
 * instrumentation emits them as log records in the span's context (one per message, the v1.36 GenAI events, or
 * the newer `gen_ai.client.inference.operation.details` event); the layer writes them as the chat span's
 * `gen_ai.input.messages` and `gen_ai.output.messages`, the current conventions' attributes, in the same shape
 * its own withChatSpan writes (genai.ts).
 *
 * Why on the span and not as log records: Sentry's AI views read these span attributes (Sentry's conventions
 * define them; its OTLP ingest drops span events), and Jaeger shows span attributes but has no logs view. One copy
 * of the content, scrubbed once with the span, instead of the same text again in every logs backend.
 */
import { trace, type Context, type Span } from '@opentelemetry/api';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ATTR_EVENT_NAME, ATTR_GEN_AI_INPUT_MESSAGES, ATTR_GEN_AI_OUTPUT_MESSAGES } from '../common/semconv.js';

/** `event.name` as the v1.36 events carried it, before the log data model had an event name field. */
const OPERATION_DETAILS = 'gen_ai.client.inference.operation.details';

/** The GenAI event a record carries, if it is one. */
export function genAiEventName(record: Pick<ReadableLogRecord, 'eventName' | 'attributes'>): string | undefined {
  const name = record.eventName ?? (record.attributes as Record<string, unknown>)[ATTR_EVENT_NAME];
  return typeof name === 'string' && name.startsWith('gen_ai.') ? name : undefined;
}

interface Part {
  type: string;
  [field: string]: unknown;
}
interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

const INPUT = Symbol('otel-sentry-bridge.genaiInputMessages');
const OUTPUT = Symbol('otel-sentry-bridge.genaiOutputMessages');
type Carrier = Span & { [INPUT]?: Message[]; [OUTPUT]?: Message[] };

function fieldsOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function textParts(content: unknown): Part[] {
  return typeof content === 'string' && content !== '' ? [{ type: 'text', content }] : [];
}

function toolCallParts(calls: unknown): Part[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((call) => {
    const fields = fieldsOf(call);
    const fn = fieldsOf(fields.function);
    return { type: 'tool_call', id: fields.id, name: fn.name, arguments: fn.arguments };
  });
}

/** The messages one v1.36 event (or an operation-details event) adds, and whether they are input or output. */
function messagesOf(
  name: string,
  body: Record<string, unknown>,
  attributes: Record<string, unknown>,
): { side: 'input' | 'output'; messages: Message[] } | undefined {
  switch (name) {
    case 'gen_ai.system.message':
      return { side: 'input', messages: [{ role: 'system', parts: textParts(body.content) }] };
    case 'gen_ai.user.message':
      return { side: 'input', messages: [{ role: 'user', parts: textParts(body.content) }] };
    case 'gen_ai.assistant.message':
      return {
        side: 'input',
        messages: [{ role: 'assistant', parts: [...textParts(body.content), ...toolCallParts(body.tool_calls)] }],
      };
    case 'gen_ai.tool.message':
      return {
        side: 'input',
        messages: [{ role: 'tool', parts: [{ type: 'tool_call_response', id: body.id, response: body.content }] }],
      };
    case 'gen_ai.choice': {
      const message = fieldsOf(body.message);
      const out: Message = {
        role: 'assistant',
        parts: [...textParts(message.content), ...toolCallParts(message.tool_calls)],
      };
      if (typeof body.finish_reason === 'string') out.finish_reason = body.finish_reason;
      return { side: 'output', messages: [out] };
    }
    case OPERATION_DETAILS: {
      // The newer event carries the conventions' messages already.
      const input = attributes[ATTR_GEN_AI_INPUT_MESSAGES];
      const output = attributes[ATTR_GEN_AI_OUTPUT_MESSAGES];
      if (Array.isArray(input)) return { side: 'input', messages: input as Message[] };
      if (Array.isArray(output)) return { side: 'output', messages: output as Message[] };
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Writes what a GenAI content record says onto its span; false when the record is not one this module knows
 * (the caller then treats it as an ordinary record). The span must still be recording: the instrumentation emits
 * before it ends the span.
 */
export function foldGenAiRecord(logRecord: ReadableLogRecord, context: Context): boolean {
  const name = genAiEventName(logRecord);
  if (name === undefined) return false;
  const found = messagesOf(name, fieldsOf(logRecord.body), logRecord.attributes as Record<string, unknown>);
  if (found === undefined) return false;
  const span = trace.getSpan(context) as Carrier | undefined;
  if (span === undefined || !span.isRecording()) return true;
  const key = found.side === 'input' ? INPUT : OUTPUT;
  const list = (span[key] ??= []);
  list.push(...found.messages);
  // Written whole each time: a chat has a handful of messages, and the span may end after any of them.
  span.setAttribute(
    found.side === 'input' ? ATTR_GEN_AI_INPUT_MESSAGES : ATTR_GEN_AI_OUTPUT_MESSAGES,
    JSON.stringify(list),
  );
  return true;
}
