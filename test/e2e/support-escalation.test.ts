// Escalation against a local helpdesk webhook: a 2xx delivers the ticket; a 500 or a timeout is an
// `escalation_failed` business event at Sentry and on the workflow span, and the escalation stays queued
// until the retry loop delivers it. The retry loop gives every escalation its own isolation scope and root
// span, named for its company, so a pass over several companies never mixes them.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, useKitCleanup } from '../kit/index.js';
import { startFakeWebhook } from '../fixtures/webhook-server.js';
import { baggageOf } from './security-support.js';
import {
  KEY_001,
  KEY_002,
  getTicket,
  ingestOk,
  ingestTrace,
  only,
  startSupport,
  type TicketView,
} from './support-helpers.js';

useKitCleanup();

// Urgent and angry: escalated whatever the confidence, so the test is about delivery only.
const ANGRY = 'This is unacceptable, my package is late and I need it urgently!';

describe('support service: escalation webhook', () => {
  it('delivers an escalated ticket to the helpdesk with a 2xx, once, even while the retry loop runs', async () => {
    const webhook = closeAfterTest(await startFakeWebhook());
    // A slow helpdesk and a fast retry loop: the loop sees the escalation pending while it is being delivered.
    await webhook.setBehaviour('slow');
    const { app, otlp, sentry } = await startSupport('both', {
      ESCALATION_WEBHOOK_URL: webhook.url,
      ESCALATION_RETRY_INTERVAL_MS: '50',
    });
    const answer = await ingestOk(app, KEY_001, { channel: 'telegram', text: ANGRY, external_user_id: 'tg-1' });
    expect(answer).toMatchObject({ status: 'escalated', escalated: true });

    const [delivery] = await webhook.waitForDeliveries(() => true);
    expect(delivery!.body).toMatchObject({
      reason: 'high_priority',
      ticket: {
        id: answer.ticket_id,
        company_id: 'empresa_001',
        priority: 'urgent',
        sentiment: 'negative',
        channel: 'telegram',
      },
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
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'escalate_to_helpdesk',
      'http.response.status_code': 202,
    });
    expect(tool.status.code).not.toBe(2);
    const workflow = only(trace, (s) => s.name === 'invoke_workflow support_pipeline', 'workflow span');
    expect(workflow.attributes).toMatchObject({ 'support.escalated': true, 'support.escalation_delivered': true });
    expect(workflow.events.map((e) => e.name)).not.toContain('escalation_failed');
    expect(sentry.events.some((e) => e.message === 'escalation_failed')).toBe(false);

    // Retry passes that started after the delivery finished found nothing left to send.
    await otlp.waitForSpans(
      (s) => s.name === 'escalation_retry_pass' && s.startTimeUnixNano > tool.endTimeUnixNano,
      15_000,
      3,
    );
    expect(webhook.deliveries).toHaveLength(1);
  });

  it.each([
    ['answers 500', 'fail' as const, 'helpdesk webhook answered 500'],
    ['hangs past the timeout', 'hang' as const, 'helpdesk webhook timed out after 700 ms'],
  ])(
    'reports escalation_failed when the webhook %s and keeps the ticket queued; the retry loop delivers it later',
    async (_what, behaviour, error) => {
      const webhook = closeAfterTest(await startFakeWebhook());
      await webhook.setBehaviour(behaviour);
      const first = await startSupport('both', { ESCALATION_WEBHOOK_URL: webhook.url, ESCALATION_TIMEOUT_MS: '700' });
      const answer = await ingestOk(first.app, KEY_001, {
        channel: 'email',
        text: ANGRY,
        external_user_id: `mail-${behaviour}`,
      });
      expect(answer).toMatchObject({ status: 'escalated', escalated: true });

      const [event] = await first.sentry.waitForEvents((e) => e.message === 'escalation_failed', 15_000);
      expect(event!.level).toBe('error');
      expect(event!.tags).toMatchObject({
        ticket_id: answer.ticket_id,
        company_id: 'empresa_001',
        reason: 'high_priority',
      });
      expect(event!.extra).toMatchObject({ error });

      const trace = await ingestTrace(first.otlp, answer.ticket_id);
      const workflow = only(trace, (s) => s.name === 'invoke_workflow support_pipeline', 'workflow span');
      expect(event!.contexts?.trace?.trace_id).toBe(workflow.traceId);
      const failed = workflow.events.find((e) => e.name === 'escalation_failed');
      expect(failed?.attributes).toMatchObject({
        'sentry.level': 'error',
        'support.ticket_id': answer.ticket_id,
        'sentry.event_id': event!.event_id,
      });
      expect(workflow.attributes).toMatchObject({ 'support.escalated': true, 'support.escalation_delivered': false });
      const tool = only(trace, (s) => s.name === 'execute_tool escalate_to_helpdesk', 'escalation tool span');
      expect(tool.status.code).toBe(2);

      const queued = (await getTicket(first.app, KEY_001, answer.ticket_id)).json as TicketView;
      expect(queued.escalations).toEqual([
        expect.objectContaining({ status: 'pending', attempts: 1, reason: 'high_priority' }),
      ]);
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
      const [retry] = await second.otlp.waitForSpans(
        (s) => s.name === 'escalation_retry' && s.attributes['support.escalation_delivered'] === true,
        15_000,
      );
      // Its own root span, named for the escalation's company, linked to the pass that ran it.
      expect(retry!.parentSpanId).toBeUndefined();
      expect(retry!.attributes).toMatchObject({ 'tenant.id': 'empresa_001', 'support.ticket_id': answer.ticket_id });
      const [pass] = await second.otlp.waitForSpans(
        (s) => s.name === 'escalation_retry_pass' && s.attributes['support.escalations_delivered'] === 1,
        15_000,
      );
      expect(retry!.links.map((link) => link.spanId)).toEqual([pass!.spanId]);
      expect(pass!.attributes['tenant.id']).toBeUndefined();
      const after = (await getTicket(second.app, KEY_001, answer.ticket_id)).json as TicketView;
      expect(after.escalations).toEqual([expect.objectContaining({ status: 'delivered', attempts: 2 })]);
    },
  );

  it('a retry pass over two companies, the webhook failing every other delivery: no event, span or delivery names the other company', async () => {
    const webhook = closeAfterTest(await startFakeWebhook());
    await webhook.setBehaviour('fail');
    const first = await startSupport('sentry', { ESCALATION_WEBHOOK_URL: webhook.url });
    // Two escalations of one company, then two of the other: with every other delivery failing, one pass fails
    // escalations of both companies, each right after a delivery of the other company's.
    const keys = [KEY_001, KEY_001, KEY_002, KEY_002, KEY_001, KEY_001, KEY_002, KEY_002];
    const tickets: Record<string, string[]> = { empresa_001: [], empresa_002: [] };
    const companyOf = new Map<string, string>();
    for (const [i, key] of keys.entries()) {
      const answer = await ingestOk(first.app, key, { channel: 'email', text: ANGRY, external_user_id: `mixed-${i}` });
      expect(answer.escalated).toBe(true);
      const company = key === KEY_001 ? 'empresa_001' : 'empresa_002';
      tickets[company]!.push(answer.ticket_id);
      companyOf.set(answer.ticket_id, company);
    }
    await first.app.kill();

    // A restarted service finds all eight pending; its first pass (up to 20) takes them in order.
    const before = webhook.deliveries.length;
    await webhook.setBehaviour('flaky');
    const second = await startSupport('both', {
      ESCALATION_WEBHOOK_URL: webhook.url,
      ESCALATION_RETRY_INTERVAL_MS: '200',
      DATABASE_PATH: first.databasePath,
    });
    await webhook.waitForDeliveries((d) => d.answered === 202, 30_000, keys.length);
    const retried = webhook.deliveries.slice(before);
    const failures = retried.filter((d) => d.answered === 500).length;
    expect(failures).toBeGreaterThanOrEqual(keys.length / 2);
    const events = await second.sentry.waitForEvents((e) => e.message === 'escalation_failed', 15_000, failures);
    const spans = await second.otlp.waitForSpans((s) => s.name === 'escalation_retry', 15_000, retried.length);

    const foreignTo = (company: string): string[] => {
      const other = company === 'empresa_001' ? 'empresa_002' : 'empresa_001';
      return [other, ...tickets[other]!];
    };
    const leaksIn = (company: string, text: string): string[] => foreignTo(company).filter((id) => text.includes(id));
    // Every escalation_failed event: its tags name the company, and nothing in it (breadcrumbs, tags, user,
    // contexts) names the other company or one of its tickets.
    const eventLeaks = events.flatMap((event) => leaksIn(String(event.tags?.company_id), JSON.stringify(event)));
    // Every escalation_retry span names one company, and no span of its trace names the other.
    const companiesIn = (text: string): string[] =>
      Object.keys(tickets).filter(
        (company) => text.includes(company) || tickets[company]!.some((id) => text.includes(id)),
      );
    const spanLeaks = spans.flatMap((span) => {
      const traceSpans = second.otlp.spans.filter((s) => s.traceId === span.traceId);
      const text = JSON.stringify(
        traceSpans.map((s) => ({ attributes: s.attributes, events: s.events })),
        (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value),
      );
      const named = companiesIn(text);
      return named.length > 1 || named.some((company) => company !== span.attributes['tenant.id'])
        ? [`${span.spanId}: ${named.join('+')}`]
        : [];
    });
    // Every retried delivery carries its own company as tenant.id.
    const wrongTenants = retried.filter(
      (d) => baggageOf(d.record.headers)['tenant.id'] !== (d.body.ticket as { company_id: string }).company_id,
    );
    expect({ eventLeaks, spanLeaks, wrongTenants: wrongTenants.length }).toEqual({
      eventLeaks: [],
      spanLeaks: [],
      wrongTenants: 0,
    });

    for (const event of events) {
      const company = String(event.tags?.company_id);
      expect(companyOf.get(String(event.tags?.ticket_id))).toBe(company);
      expect(event.user).toMatchObject({ company_id: company });
    }
    expect(new Set(events.map((e) => e.tags?.company_id))).toEqual(new Set(['empresa_001', 'empresa_002']));
    for (const span of spans) {
      expect(span.parentSpanId).toBeUndefined();
      expect(span.attributes['tenant.id']).toBe(companyOf.get(String(span.attributes['support.ticket_id'])));
    }
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
