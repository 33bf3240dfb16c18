// Escalation against a local helpdesk webhook: a 2xx delivers the ticket; a 500 or a timeout is an
// `escalation_failed` business event at Sentry and on the workflow span, and the escalation stays queued
// until the retry loop delivers it.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, useKitCleanup } from '../kit/index.js';
import { startFakeWebhook } from '../fixtures/webhook-server.js';
import { KEY_001, getTicket, ingestOk, ingestTrace, only, startSupport, type TicketView } from './support-helpers.js';

useKitCleanup();

// Urgent and angry: escalated whatever the confidence, so the test is about delivery only.
const ANGRY = 'This is unacceptable, my package is late and I need it urgently!';

describe('support service: escalation webhook', () => {
  it('delivers an escalated ticket to the helpdesk with a 2xx, once, even while the retry loop runs', async () => {
    const webhook = closeAfterTest(await startFakeWebhook());
    // A slow helpdesk and a fast retry loop: the loop sees the escalation pending while it is being delivered.
    await webhook.setBehaviour('slow');
    const { app, otlp, sentry } = await startSupport('both', { ESCALATION_WEBHOOK_URL: webhook.url, ESCALATION_RETRY_INTERVAL_MS: '50' });
    const answer = await ingestOk(app, KEY_001, { channel: 'telegram', text: ANGRY, external_user_id: 'tg-1' });
    expect(answer).toMatchObject({ status: 'escalated', escalated: true });

    const [delivery] = await webhook.waitForDeliveries(() => true);
    expect(delivery!.body).toMatchObject({
      reason: 'high_priority',
      ticket: { id: answer.ticket_id, company_id: 'empresa_001', priority: 'urgent', sentiment: 'negative', channel: 'telegram' },
    });
    expect(delivery!.body.interactions).toEqual([
      expect.objectContaining({ role: 'customer', text: ANGRY }),
      expect.objectContaining({ role: 'assistant' }),
    ]);
    // Trace context travels to the helpdesk (loopback is a propagation target by default).
    expect(delivery!.record.headers.traceparent).toBeDefined();

    const ticket = (await getTicket(app, KEY_001, answer.ticket_id)).json as TicketView;
    expect(ticket.escalations).toEqual([expect.objectContaining({ status: 'delivered', attempts: 1 })]);

    const trace = await ingestTrace(otlp, answer.ticket_id);
    const tool = only(trace, (s) => s.name === 'execute_tool escalate_to_helpdesk', 'escalation tool span');
    const escalator = only(trace, (s) => s.name === 'invoke_agent Escalator', 'Escalator agent');
    expect(tool.parentSpanId).toBe(escalator.spanId);
    expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'escalate_to_helpdesk', 'http.response.status_code': 202 });
    expect(tool.status.code).not.toBe(2);
    const workflow = only(trace, (s) => s.name === 'invoke_workflow support_pipeline', 'workflow span');
    expect(workflow.attributes).toMatchObject({ 'support.escalated': true, 'support.escalation_delivered': true });
    expect(workflow.events.map((e) => e.name)).not.toContain('escalation_failed');
    expect(sentry.events.some((e) => e.message === 'escalation_failed')).toBe(false);

    // Retry passes that started after the delivery finished found nothing left to send.
    await otlp.waitForSpans((s) => s.name === 'escalation_retry' && s.startTimeUnixNano > tool.endTimeUnixNano, 15_000, 3);
    expect(webhook.deliveries).toHaveLength(1);
  });

  it.each([
    ['answers 500', 'fail' as const, 'helpdesk webhook answered 500'],
    ['hangs past the timeout', 'hang' as const, 'helpdesk webhook timed out after 700 ms'],
  ])('reports escalation_failed when the webhook %s and keeps the ticket queued; the retry loop delivers it later', async (_what, behaviour, error) => {
    const webhook = closeAfterTest(await startFakeWebhook());
    await webhook.setBehaviour(behaviour);
    const first = await startSupport('both', { ESCALATION_WEBHOOK_URL: webhook.url, ESCALATION_TIMEOUT_MS: '700' });
    const answer = await ingestOk(first.app, KEY_001, { channel: 'email', text: ANGRY, external_user_id: `mail-${behaviour}` });
    expect(answer).toMatchObject({ status: 'escalated', escalated: true });

    const [event] = await first.sentry.waitForEvents((e) => e.message === 'escalation_failed', 15_000);
    expect(event!.level).toBe('error');
    expect(event!.tags).toMatchObject({ ticket_id: answer.ticket_id, company_id: 'empresa_001', reason: 'high_priority' });
    expect(event!.extra).toMatchObject({ error });

    const trace = await ingestTrace(first.otlp, answer.ticket_id);
    const workflow = only(trace, (s) => s.name === 'invoke_workflow support_pipeline', 'workflow span');
    expect(event!.contexts?.trace?.trace_id).toBe(workflow.traceId);
    const failed = workflow.events.find((e) => e.name === 'escalation_failed');
    expect(failed?.attributes).toMatchObject({ 'sentry.level': 'error', 'support.ticket_id': answer.ticket_id, 'sentry.event_id': event!.event_id });
    expect(workflow.attributes).toMatchObject({ 'support.escalated': true, 'support.escalation_delivered': false });
    const tool = only(trace, (s) => s.name === 'execute_tool escalate_to_helpdesk', 'escalation tool span');
    expect(tool.status.code).toBe(2);

    const queued = (await getTicket(first.app, KEY_001, answer.ticket_id)).json as TicketView;
    expect(queued.escalations).toEqual([expect.objectContaining({ status: 'pending', attempts: 1, reason: 'high_priority' })]);
    await first.app.kill();

    // The helpdesk is back: a restarted service with the retry loop on delivers the queued escalation.
    await webhook.setBehaviour('accept');
    const second = await startSupport('otlp', {
      ESCALATION_WEBHOOK_URL: webhook.url,
      ESCALATION_RETRY_INTERVAL_MS: '200',
      DATABASE_PATH: first.databasePath,
    });
    const delivered = await webhook.waitForDeliveries((d) => d.answered === 202, 15_000);
    expect(delivered[0]!.body).toMatchObject({ reason: 'high_priority', ticket: { id: answer.ticket_id } });
    const [retry] = await second.otlp.waitForSpans((s) => s.name === 'escalation_retry' && s.attributes['support.escalations_delivered'] === 1, 15_000);
    expect(retry!.parentSpanId).toBeUndefined();
    const after = (await getTicket(second.app, KEY_001, answer.ticket_id)).json as TicketView;
    expect(after.escalations).toEqual([expect.objectContaining({ status: 'delivered', attempts: 2 })]);
  });

  it('queues escalations in the database when no webhook is configured', async () => {
    const { app, sentry } = await startSupport('sentry');
    const answer = await ingestOk(app, KEY_001, { channel: 'web', text: ANGRY, external_user_id: 'web-queue' });
    expect(answer.escalated).toBe(true);
    const ticket = (await getTicket(app, KEY_001, answer.ticket_id)).json as TicketView;
    expect(ticket.escalations).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);
    await sentry.waitForEvents((e) => e.message === 'New ticket created', 15_000);
    expect(sentry.events.some((e) => e.message === 'escalation_failed')).toBe(false);
  });
});
