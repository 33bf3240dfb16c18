// Every business event reaches Sentry, also one equal to the event before it: follow-ups on one ticket that are
// answered alike each send "High confidence response generated" with the same text and stack, which Sentry's
// dedupe integration used to drop. The event id on each workflow span names an event Sentry received.
import { describe, expect, it } from 'vitest';
import { useKitCleanup } from '../kit/index.js';
import { KEY_001, ingestOk, isWorkflowOf, startSupport } from './support-helpers.js';

useKitCleanup();

const FOLLOW_UP = { channel: 'web', text: 'How do I reset my password?', external_user_id: 'repeat-customer' };
const HIGH = 'High confidence response generated';

describe('business events at Sentry', () => {
  it('sends each one, also when it equals the event before it', async () => {
    const { app, sentry, otlp } = await startSupport('both');
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await ingestOk(app, KEY_001, FOLLOW_UP));
    const ticketId = answers[0]!.ticket_id;
    expect(answers.map((a) => [a.ticket_id, a.status])).toEqual(answers.map(() => [ticketId, 'answered']));
    expect(answers.every((a) => a.confidence >= 0.85)).toBe(true);

    const events = await sentry.waitForEvents((e) => e.message === HIGH, 15_000, 3);
    expect(events).toHaveLength(3);
    expect(events.map((e) => e.tags?.ticket_id)).toEqual([ticketId, ticketId, ticketId]);

    const workflows = await otlp.waitForSpans(isWorkflowOf(ticketId), 15_000, 3);
    const idsOnSpans = workflows.flatMap((span) =>
      span.events.filter((e) => e.name === HIGH).map((e) => e.attributes['sentry.event_id']),
    );
    expect(idsOnSpans).toHaveLength(3);
    expect(idsOnSpans.toSorted()).toEqual(events.map((e) => e.event_id).toSorted());
  });
});
