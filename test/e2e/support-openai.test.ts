// The OpenAI completion path against a local OpenAI-compatible server (real HTTP, the chat completions schema
// with usage): chat spans come from the official OpenAI instrumentation and speak the current conventions;
// a model that fails or times out escalates the ticket instead of failing the request.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, useKitCleanup } from '../kit/index.js';
import { startFakeOpenAi } from '../fixtures/openai-server.js';
import {
  KEY_001,
  childrenOf,
  getTicket,
  ingestOk,
  ingestTrace,
  only,
  startSupport,
  type TicketView,
} from './support-helpers.js';

useKitCleanup();

async function startWithModel(): Promise<{
  support: Awaited<ReturnType<typeof startSupport>>;
  model: Awaited<ReturnType<typeof startFakeOpenAi>>;
}> {
  const model = closeAfterTest(await startFakeOpenAi());
  const support = await startSupport('both', {
    OPENAI_API_KEY: 'sk-test-not-a-real-key',
    OPENAI_BASE_URL: model.baseUrl,
    OPENAI_MODEL: 'gpt-4o-mini',
    OPENAI_TIMEOUT_MS: '800',
    OPENAI_MAX_RETRIES: '1',
  });
  return { support, model };
}

describe('support service: OpenAI completions', () => {
  it('answers through the openai SDK, traced by the official instrumentation with gen_ai.provider.name', async () => {
    const { support, model } = await startWithModel();
    const answer = await ingestOk(support.app, KEY_001, {
      channel: 'whatsapp',
      text: 'How do I request a refund for my order?',
      external_user_id: 'wa-5511',
    });
    expect(answer.escalated).toBe(false);
    expect(answer.response).toContain('Requesting a refund');
    expect(model.requests).toHaveLength(1);
    expect(model.attempts).toBe(1);
    expect(model.requests[0]!.record.headers.authorization).toBe('Bearer sk-test-not-a-real-key');
    expect(model.requests[0]!.body.messages.map((m) => m.role)).toEqual(['system', 'user']);

    const trace = await ingestTrace(support.otlp, answer.ticket_id);
    const resolver = only(trace, (s) => s.name === 'invoke_agent Resolver', 'Resolver agent');
    expect(resolver.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
    });
    const chat = only(trace, (s) => s.name === 'chat gpt-4o-mini', 'chat span');
    expect(chat.parentSpanId).toBe(resolver.spanId);
    expect(chat.scope.name).toContain('instrumentation-openai');
    expect(chat.kindName).toBe('client');
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    // The model's HTTP call is a child of the chat span, and the same trace.
    const http = childrenOf(trace, chat).filter((s) => s.kindName === 'client');
    expect(http.length).toBeGreaterThanOrEqual(1);
    expect(childrenOf(trace, resolver).map((s) => s.name)).toEqual(['retrieval kb_empresa_001', 'chat gpt-4o-mini']);
  });

  it.each([
    ['answers 500', 'fail' as const],
    ['times out', 'hang' as const],
  ])('escalates the ticket when the model %s, after bounded retries, and answers 200', async (_what, behaviour) => {
    const { support, model } = await startWithModel();
    await model.setBehaviour(behaviour);
    const answer = await ingestOk(support.app, KEY_001, {
      channel: 'web',
      text: 'How do I request a refund for my order?',
      external_user_id: `web-${behaviour}`,
    });
    expect(answer).toMatchObject({ status: 'escalated', escalated: true, confidence: 0 });
    expect(answer.response).toContain('specialist');
    // One try plus OPENAI_MAX_RETRIES=1 retry, then it gives up.
    expect(model.attempts).toBe(2);

    const ticket = (await getTicket(support.app, KEY_001, answer.ticket_id)).json as TicketView;
    expect(ticket).toMatchObject({ status: 'escalated', escalated: true });
    expect(ticket.escalations).toEqual([expect.objectContaining({ reason: 'model_failure', status: 'pending' })]);

    const trace = await ingestTrace(support.otlp, answer.ticket_id);
    const resolver = only(trace, (s) => s.name === 'invoke_agent Resolver', 'Resolver agent');
    expect(resolver.attributes).toMatchObject({ 'support.model_failed': true, 'support.confidence': 0 });
    const workflow = only(trace, (s) => s.name === 'invoke_workflow support_pipeline', 'workflow span');
    expect(workflow.attributes).toMatchObject({
      'support.escalated': true,
      'support.escalation_reason': 'model_failure',
    });
    const server = only(trace, (s) => s.kindName === 'server', 'server span');
    expect(server.attributes['http.response.status_code']).toBe(200);

    const [failure] = await support.sentry.waitForEvents((e) => e.tags?.operation === 'completion', 15_000);
    expect(failure!.level).toBe('error');
    expect(failure!.tags).toMatchObject({ module: 'resolver' });
    expect(failure!.contexts?.trace?.trace_id).toBe(workflow.traceId);
    await support.sentry.waitForEvents((e) => e.message === 'Low confidence response', 15_000);
  });
});
