// One ingest request, end to end: the real service under the layer's bootstrap, both span backends on, the
// fake Sentry and an OTLP receiver on loopback. The trace, its GenAI and database attributes, the user and
// company on every span after authentication, and the business events at Sentry.
import { describe, expect, it } from 'vitest';
import { useKitCleanup, type ReceivedSpan } from '../kit/index.js';
import {
  KEY_002,
  ancestorsOf,
  childrenOf,
  descendantsOf,
  ingestOk,
  ingestTrace,
  only,
  startSupport,
} from './support-helpers.js';

useKitCleanup();

const attr = (span: ReceivedSpan, key: string): unknown => span.attributes[key];

describe('support service: one ingest request, one trace', () => {
  it('links server -> workflow -> four agents -> retrieval, chat and database spans, with GenAI, db and tenant attributes', async () => {
    const { app, sentry, otlp } = await startSupport('both');
    const answer = await ingestOk(app, KEY_002, {
      channel: 'email',
      text: 'I forgot my password and the reset email never arrives',
      external_user_id: 'customer-42',
    });
    expect(answer).toMatchObject({ status: 'answered', escalated: false });
    expect(answer.ticket_id).toMatch(/^TICKET-/);
    expect(answer.confidence).toBeGreaterThanOrEqual(0.85);
    expect(answer.response).toContain('Reset password');

    const trace = await ingestTrace(otlp, answer.ticket_id);
    const server = only(trace, (s) => s.kindName === 'server', 'server span');
    expect(server.name).toBe('POST /api/ingest-message');
    expect(server.parentSpanId).toBeUndefined();

    const workflow = only(trace, (s) => s.name === 'invoke_workflow support_pipeline', 'workflow span');
    expect(ancestorsOf(trace, workflow).at(-1)?.spanId).toBe(server.spanId);
    expect(workflow.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.workflow.name': 'support_pipeline',
      'gen_ai.conversation.id': answer.ticket_id,
      'support.category': 'account',
      'support.priority': 'medium',
      'support.confidence': answer.confidence,
      'support.escalated': false,
    });

    const agents = childrenOf(trace, workflow).filter((s) => attr(s, 'gen_ai.operation.name') === 'invoke_agent');
    expect(agents.map((s) => s.name)).toEqual([
      'invoke_agent Triage',
      'invoke_agent Router',
      'invoke_agent Resolver',
      'invoke_agent Escalator',
    ]);
    for (const agent of agents) expect(attr(agent, 'gen_ai.agent.name')).toBe(agent.name.replace('invoke_agent ', ''));
    // The pipeline context names the agent that was running when each agent span started.
    expect(agents.map((s) => attr(s, 'pipeline.current_agent'))).toEqual(['Triage', 'Router', 'Resolver', 'Escalator']);

    const resolver = agents[2]!;
    const [retrieval, chat] = childrenOf(trace, resolver);
    expect(retrieval?.name).toBe('retrieval kb_empresa_002');
    expect(retrieval?.attributes).toMatchObject({
      'gen_ai.operation.name': 'retrieval',
      'gen_ai.data_source.id': 'kb_empresa_002',
    });
    expect(attr(retrieval!, 'retrieval.result_count')).toBeGreaterThan(0);
    expect(attr(retrieval!, 'retrieval.top_score')).toBeGreaterThan(0);
    // Content capture is off by default: the customer's words are not on the span.
    expect(attr(retrieval!, 'gen_ai.retrieval.query.text')).toBeUndefined();
    expect(chat?.name).toBe('chat support-local-1');
    expect(chat?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'local',
      'gen_ai.request.model': 'support-local-1',
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(attr(chat!, 'gen_ai.usage.input_tokens')).toBeGreaterThan(0);
    expect(attr(chat!, 'gen_ai.usage.output_tokens')).toBeGreaterThan(0);
    expect(attr(chat!, 'gen_ai.input.messages')).toBeUndefined();

    const dbSpans = trace.filter((s) => attr(s, 'db.system.name') === 'sqlite');
    expect(dbSpans.map((s) => attr(s, 'db.query.summary'))).toEqual(
      expect.arrayContaining([
        'SELECT api_keys',
        'SELECT tickets',
        'INSERT tickets',
        'INSERT interactions',
        'UPDATE tickets',
      ]),
    );
    for (const span of dbSpans) {
      expect(span.kindName).toBe('client');
      expect(attr(span, 'db.operation.name')).toBe(String(attr(span, 'db.query.summary')).split(' ')[0]);
      expect(attr(span, 'db.query.text')).toBeUndefined();
      expect(JSON.stringify(span.attributes)).not.toContain('customer-42');
    }

    // User and company: on the server span (started before authentication) and on every span started after it.
    expect(server.attributes).toMatchObject({ 'user.id': 'key_empresa_002_dev', 'tenant.id': 'empresa_002' });
    const authSpan = only(trace, (s) => attr(s, 'db.query.summary') === 'SELECT api_keys', 'API key lookup');
    const afterAuth = trace.filter((s) => s.startTimeUnixNano > authSpan.endTimeUnixNano);
    expect(afterAuth.length).toBeGreaterThan(10);
    expect(descendantsOf(trace, workflow).every((s) => afterAuth.includes(s))).toBe(true);
    for (const span of afterAuth) {
      expect({ name: span.name, user: attr(span, 'user.id'), tenant: attr(span, 'tenant.id') }).toEqual({
        name: span.name,
        user: 'key_empresa_002_dev',
        tenant: 'empresa_002',
      });
    }

    // Business events: a Sentry message each, and an event named by its text on the workflow span.
    expect(workflow.events.map((e) => e.name)).toEqual(
      expect.arrayContaining(['New ticket created', 'High confidence response generated']),
    );
    const events = await sentry.waitForEvents(
      (e) => e.message === 'New ticket created' || e.message === 'High confidence response generated',
      15_000,
      2,
    );
    const created = events.find((e) => e.message === 'New ticket created')!;
    expect(created.level).toBe('info');
    expect(created.tags).toMatchObject({ company_id: 'empresa_002', channel: 'email' });
    expect(created.contexts?.trace?.trace_id).toBe(workflow.traceId);
    expect(created.user).toMatchObject({ id: 'key_empresa_002_dev' });
    const high = events.find((e) => e.message === 'High confidence response generated')!;
    expect(high.level).toBe('info');
    expect(high.tags).toMatchObject({ ticket_id: answer.ticket_id, confidence: String(answer.confidence) });
    expect(high.contexts?.trace?.trace_id).toBe(workflow.traceId);
    expect(high.contexts?.ticket).toMatchObject({ ticket_id: answer.ticket_id });
    const crumbs = (high.breadcrumbs ?? []).map((b) => b.message);
    expect(crumbs).toEqual(
      expect.arrayContaining([
        'API key authenticated',
        'Message received',
        'Triage agent started',
        'Queried RAG knowledge base',
      ]),
    );
    expect(sentry.events.some((e) => e.message === 'Low confidence response')).toBe(false);

    // The same trace reached Sentry's OTLP endpoint.
    const atSentry = await ingestTrace(sentry, answer.ticket_id);
    expect(atSentry.map((s) => s.spanId).toSorted()).toEqual(trace.map((s) => s.spanId).toSorted());
  });

  it('records the retrieval query and the chat messages only when GenAI content capture is on', async () => {
    const { app, otlp } = await startSupport('otlp', { TELEMETRY_CAPTURE_GENAI_CONTENT: 'true' });
    const text = 'How can I track an order that shipped?';
    const answer = await ingestOk(app, KEY_002, { channel: 'web', text, external_user_id: 'customer-7' });
    const trace = await ingestTrace(otlp, answer.ticket_id);
    const retrieval = only(trace, (s) => s.name === 'retrieval kb_empresa_002', 'retrieval span');
    expect(attr(retrieval, 'gen_ai.retrieval.query.text')).toBe(text);
    const chat = only(trace, (s) => s.name === 'chat support-local-1', 'chat span');
    expect(String(attr(chat, 'gen_ai.input.messages'))).toContain(text);
    expect(String(attr(chat, 'gen_ai.output.messages'))).toContain(answer.response.slice(0, 40));
  });
});
