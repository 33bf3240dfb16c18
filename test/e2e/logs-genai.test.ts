// GenAI content through the official OpenAI instrumentation, against a local OpenAI-compatible server: with
// TELEMETRY_CAPTURE_GENAI_CONTENT on, the prompts and the completion (which the instrumentation emits as log
// records) are the chat span's gen_ai.input.messages / gen_ai.output.messages at both backends, in the shape the
// layer's own withChatSpan writes; with it off, no prompt or completion text leaves the process at all.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, useKitCleanup, type FakeSentry, type OtlpReceiver } from '../kit/index.js';
import { startFakeOpenAi } from '../fixtures/openai-server.js';
import { KEY_001, ingestOk, ingestTrace, only, startSupport } from './support-helpers.js';

useKitCleanup();

const TEXT = 'How do I request a refund for my order?';

async function startWithModel(capture: boolean) {
  const model = closeAfterTest(await startFakeOpenAi());
  const support = await startSupport('both', {
    OPENAI_API_KEY: 'sk-test-not-a-real-key',
    OPENAI_BASE_URL: model.baseUrl,
    OPENAI_MODEL: 'gpt-4o-mini',
    TELEMETRY_CAPTURE_GENAI_CONTENT: String(capture),
    OTEL_BLRP_SCHEDULE_DELAY: '100',
  });
  return { support, model };
}

interface Message {
  role: string;
  parts: { type: string; content?: string }[];
  finish_reason?: string;
}

const messages = (value: unknown): Message[] => JSON.parse(String(value)) as Message[];

/** Everything both backends received, as one searchable text. */
function everything(sentry: FakeSentry, otlp: OtlpReceiver): string {
  const bigint = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? String(value) : value);
  return JSON.stringify([sentry.envelopes.map((e) => e.items), sentry.spans, otlp.spans, otlp.logs], bigint);
}

describe('GenAI content of the OpenAI instrumentation', () => {
  it('with capture on: prompts and completion on the chat span at both backends, not as log records', async () => {
    const { support, model } = await startWithModel(true);
    const answer = await ingestOk(support.app, KEY_001, { channel: 'web', text: TEXT, external_user_id: 'genai-on' });
    const system = model.requests[0]!.body.messages.find((m) => m.role === 'system')!.content;

    for (const backend of [support.otlp, support.sentry]) {
      const trace = await ingestTrace(backend, answer.ticket_id);
      const chat = only(trace, (s) => s.name === 'chat gpt-4o-mini', 'chat span');
      const input = messages(chat.attributes['gen_ai.input.messages']);
      expect(input.map((m) => m.role)).toEqual(['system', 'user']);
      expect(input[1]!.parts).toEqual([{ type: 'text', content: TEXT }]);
      // Span attribute values are cut at 4096 characters (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT raises it).
      if (String(chat.attributes['gen_ai.input.messages']).length < 4096)
        expect(input[0]!.parts[0]!.content).toBe(system);
      const output = messages(chat.attributes['gen_ai.output.messages']);
      expect(output).toEqual([
        { role: 'assistant', parts: [{ type: 'text', content: answer.response }], finish_reason: 'stop' },
      ]);
      // The figures of the instrumentation's token and duration metrics are on the span already.
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(chat.endTimeUnixNano).toBeGreaterThan(chat.startTimeUnixNano);
    }
    // The content is not sent a second time as log records.
    await support.otlp.waitForLogs((r) => String(r.body).startsWith('business event'));
    expect(
      support.otlp.logs.filter(
        (r) =>
          r.scope.name.includes('openai') || String(r.eventName ?? r.attributes['event.name']).startsWith('gen_ai.'),
      ),
    ).toEqual([]);
    expect(support.sentry.logs.filter((i) => i.body.includes(TEXT))).toEqual([]);
  });

  it('with capture off: no prompt or completion text anywhere, spans and logs alike', async () => {
    const { support } = await startWithModel(false);
    const answer = await ingestOk(support.app, KEY_001, { channel: 'web', text: TEXT, external_user_id: 'genai-off' });
    const trace = await ingestTrace(support.otlp, answer.ticket_id);
    const chat = only(trace, (s) => s.name === 'chat gpt-4o-mini', 'chat span');
    expect(chat.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(chat.attributes['gen_ai.output.messages']).toBeUndefined();
    await ingestTrace(support.sentry, answer.ticket_id);
    await support.otlp.waitForLogs((r) => String(r.body).startsWith('business event'));
    await support.sentry.waitForLogs((i) => i.body.startsWith('business event'));
    await support.app.kill();
    const sent = everything(support.sentry, support.otlp);
    expect(sent).not.toContain(TEXT);
    expect(sent).not.toContain(answer.response);
  });

  it("withChatSpan writes the same shape (the support service's local responder)", async () => {
    const support = await startSupport('otlp', { TELEMETRY_CAPTURE_GENAI_CONTENT: 'true' });
    const answer = await ingestOk(support.app, KEY_001, {
      channel: 'web',
      text: TEXT,
      external_user_id: 'genai-local',
    });
    const chat = only(
      await ingestTrace(support.otlp, answer.ticket_id),
      (s) => s.name === 'chat support-local-1',
      'chat span',
    );
    expect(messages(chat.attributes['gen_ai.input.messages']).map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages(chat.attributes['gen_ai.output.messages'])).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: answer.response }], finish_reason: 'stop' },
    ]);
  });
});
