// The API's edges over real HTTP: authentication, validation, body limits, tenant isolation of tickets, the
// untraced health check, and unhandled errors answered as JSON 500 and captured once.
import { describe, expect, it } from 'vitest';
import { request, useKitCleanup } from '../kit/index.js';
import { KEY_001, KEY_002, getTicket, ingest, ingestOk, startSupport, type TicketView } from './support-helpers.js';

useKitCleanup();

const VALID = { channel: 'web', text: 'How do I change the delivery address of my order?', external_user_id: 'web-77' };

describe('support service: HTTP API edges', () => {
  it('answers 401, 400, 413 and 404 as JSON, scopes tickets to the caller company, and captures none of it as an error', async () => {
    const { app, sentry, otlp } = await startSupport('both');

    const noKey = await request(`${app.url}/api/ingest-message`, { method: 'POST', body: VALID });
    expect(noKey.status).toBe(401);
    expect(noKey.json).toEqual({ error: 'unauthorized', message: expect.any(String) });
    const badKey = await ingest(app, 'dev-key-empresa-999', JSON.stringify(VALID));
    expect(badKey.status).toBe(401);
    expect((await getTicket(app, 'nope', 'TICKET-x')).status).toBe(401);

    const invalid = await ingest(app, KEY_001, JSON.stringify({ channel: 'fax', text: '', extra: 1 }));
    expect(invalid.status).toBe(400);
    expect(invalid.json).toMatchObject({
      error: 'invalid_request',
      fields: { channel: [expect.any(String)], text: [expect.any(String)], external_user_id: [expect.any(String)] },
    });
    const tooLongText = await ingest(app, KEY_001, JSON.stringify({ ...VALID, text: 'a'.repeat(4001) }));
    expect(tooLongText.status).toBe(400);
    expect(Object.keys((tooLongText.json as { fields: object }).fields)).toEqual(['text']);
    const notJson = await ingest(app, KEY_001, '{"channel": "web", "text": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ error: 'invalid_json' });
    const notAnObject = await ingest(app, KEY_001, '[1, 2, 3]');
    expect(notAnObject.status).toBe(400);

    const oversized = await ingest(app, KEY_001, JSON.stringify({ ...VALID, text: 'x'.repeat(70_000) }));
    expect(oversized.status).toBe(413);
    expect(oversized.json).toMatchObject({ error: 'payload_too_large' });

    const answer = await ingestOk(app, KEY_001, VALID);
    const own = await getTicket(app, KEY_001, answer.ticket_id);
    expect(own.status).toBe(200);
    const ticket = own.json as TicketView;
    expect(ticket).toMatchObject({ ticket_id: answer.ticket_id, category: 'shipping' });
    expect(ticket.interactions.map((i) => i.role)).toEqual(['customer', 'assistant']);
    // A follow-up from the same customer lands on the same open ticket.
    const followUp = await ingestOk(app, KEY_001, { ...VALID, text: 'And how can I track the order?' });
    expect(followUp.ticket_id).toBe(answer.ticket_id);

    const otherCompany = await getTicket(app, KEY_002, answer.ticket_id);
    const unknown = await getTicket(app, KEY_002, 'TICKET-does-not-exist');
    expect(otherCompany.status).toBe(404);
    expect(otherCompany.json).toEqual(unknown.json);
    expect(otherCompany.text).not.toContain('web-77');

    const [server] = await otlp.waitForSpans(
      (s) => s.kindName === 'server' && s.attributes['http.response.status_code'] === 404,
      15_000,
    );
    expect(server!.attributes['tenant.id']).toBe('empresa_002');
    await sentry.waitForEvents((e) => e.message === 'New ticket created', 15_000);
    expect(sentry.events.filter((e) => e.level === 'error' || e.level === 'fatal')).toEqual([]);
  });

  it('never seeds development companies in production', async () => {
    const { app } = await startSupport('otlp', { NODE_ENV: 'production' });
    expect(app.stdout()).not.toContain('dev-key-empresa-001');
    expect((await ingest(app, KEY_001, JSON.stringify(VALID))).status).toBe(401);
    expect((await request(`${app.url}/api/health`)).status).toBe(200);
  });

  it('never traces the health check', async () => {
    const { app, otlp } = await startSupport('otlp');
    const health = await request(`${app.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ status: 'ok' });
    // A traced request after it: once its span is in, the health check's would have been too.
    await getTicket(app, KEY_001, 'TICKET-marker');
    await otlp.waitForSpans(
      (s) => s.kindName === 'server' && s.attributes['url.path'] === '/api/tickets/TICKET-marker',
      15_000,
    );
    expect(otlp.spans.filter((s) => JSON.stringify(s.attributes).includes('/api/health'))).toEqual([]);
  });

  it('answers an unhandled error with a JSON 500 without a stack, captured once at Sentry with the request user', async () => {
    const { app, sentry } = await startSupport('sentry', { SUPPORT_DEBUG_ROUTES: '1' });
    const response = await request(`${app.url}/api/debug/error`, { headers: { 'x-api-key': KEY_001 } });
    expect(response.status).toBe(500);
    expect(response.json).toEqual({
      error: 'internal_error',
      message: 'An unexpected error occurred.',
      event_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(response.text).not.toMatch(/\bat .*\.js/);
    expect(response.text).not.toContain('Debug error');
    const [event] = await sentry.waitForEvents((e) => e.level === 'error', 15_000);
    expect(event!.event_id).toBe((response.json as { event_id: string }).event_id);
    expect(event!.exception?.values?.[0]?.value).toBe('Debug error: error capture check');
    expect(event!.user).toMatchObject({ id: 'key_empresa_001_dev' });
    expect(event!.tags).toMatchObject({ company_id: 'empresa_001' });
    await request(`${app.url}/api/health`);
    expect(sentry.events.filter((e) => e.level === 'error')).toHaveLength(1);
  });
});
