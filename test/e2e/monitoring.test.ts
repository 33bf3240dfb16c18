// The monitoring API over the real wire: the fixture app under `--import register`, the fake Sentry and an
// OTLP collector on loopback. Every scenario runs twice: Sentry on (events + spans to the collector) and
// Sentry off (spans to the collector only); the span side must carry the same facts in both.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Event } from '@sentry/core';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  keepAliveAgent,
  request,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
  type ReceivedSpan,
} from '../kit/index.js';

useKitCleanup();

const APP = 'test/fixtures/monitoring-app.mjs';
const SEED = {
  apiKey: 'sk-live-4c0ffee4c0ffee4c0ffee4c0ffee',
  bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzZWVkIn0.c2VlZGVkLXNpZ25hdHVyZQ',
  cookie: 'sid=c00k1e-s3cr3t-v4lue',
  email: 'seeded.person@pii.example',
  urlPassword: 'urlp4ssw0rdseed',
};

async function startDownstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const has = (expected: Record<string, unknown>): unknown => expect.objectContaining(expected);
/** The Sentry side of a fact: expected when Sentry is on, absent when it is off. */
const onlyWith = (sentryOn: boolean, expected: unknown): unknown => (sentryOn ? expected : undefined);
const json = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const eventAttrs = (span: ReceivedSpan | undefined, name: string): Array<Record<string, unknown>> =>
  (span?.events ?? []).filter((e) => e.name === name).map((e) => e.attributes as Record<string, unknown>);

async function setup(sentryOn: boolean, extraEnv: Record<string, string> = {}) {
  const sentry = closeAfterTest(await startFakeSentry());
  const collector = closeAfterTest(await startOtlpReceiver());
  const downstream = closeAfterTest(await startDownstream());
  const app = await startApp(APP, {
    env: {
      ...(sentryOn ? { SENTRY_DSN: sentry.dsn } : {}),
      SENTRY_TRACES_SAMPLE_RATE: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      TELEMETRY_EXPORTERS: 'otlp',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      DOWNSTREAM_URL: downstream.url,
      ...extraEnv,
    },
  });
  return { sentry, collector, downstream, app };
}

describe.each([
  { mode: 'Sentry on', sentryOn: true },
  { mode: 'Sentry off (OTLP only)', sentryOn: false },
])('monitoring API end to end, $mode', ({ sentryOn }) => {
  it('each line of the Python usage gives the same facts at Sentry and at the collector', async () => {
    const { sentry, collector, app } = await setup(sentryOn);
    const res = await request(`${app.url}/lines`);
    expect(res.status).toBe(200);
    const ids = JSON.parse(res.text) as Record<string, string | boolean>;
    expect(ids.rethrown).toBe('critical operation failed');
    expect(ids.triage).toBe('triaged TICKET-123');
    expect(ids.enabled).toBe(true);
    await request(`${app.url}/health`);

    const spans = await collector.waitForSpans((s) => s.traceId === ids.traceId, 15_000, 4);
    const server = spans.find((s) => s.kindName === 'server');
    const tx = spans.find((s) => s.name === 'process_ticket');
    const user = { 'user.id': 'user_abc123', 'user.roles': ['admin'], 'tenant.id': 'empresa_001' };
    // Authentication named the user after the server span started: the local root still carries it.
    expect(server?.attributes).toMatchObject(user);
    expect(server?.attributes['user.email']).toBeUndefined();
    expect(tx?.parentSpanId).toBe(server?.spanId);
    expect(tx?.attributes).toMatchObject({
      ...user,
      'sentry.op': 'pipeline',
      'ticket.ticket_id': 'TICKET-123',
      'ticket.priority': 'high',
      'ticket.escalated': true,
      company_id: 'empresa_001',
    });
    expect(spans.find((s) => s.name === 'Get ticket from MongoDB')?.attributes).toMatchObject({
      ...user,
      'sentry.op': 'db.query',
      'ticket.category': 'billing',
    });
    expect(spans.find((s) => s.name === 'executeTriageAgent')?.attributes['sentry.op']).toBe('agent.execute');
    expect(eventAttrs(tx, 'breadcrumb')).toEqual([
      expect.objectContaining({
        category: 'rag',
        level: 'debug',
        message: 'Queried RAG knowledge base',
        'data.query': 'refund policy',
        'data.results_count': 3,
      }),
    ]);
    const exceptions = eventAttrs(tx, 'exception');
    expect(exceptions.map((e) => e['exception.message'])).toEqual([
      'risky operation failed',
      'critical operation failed',
    ]);
    expect(exceptions[0]).toMatchObject({
      'sentry.event_id': ids.exception,
      'sentry.tag.operation': 'risky_operation',
      'extra.input_data': '{"ticket":"TICKET-123"}',
      'extra.step': 'classify',
    });
    expect(eventAttrs(tx, 'message')).toEqual([
      expect.objectContaining({
        message: 'High confidence response generated',
        'sentry.event_id': ids.message,
        'extra.response_length': 42,
      }),
    ]);
    expect(tx?.status.code).toBe(2);

    const expectedEvents = sentryOn ? 3 : 0;
    const events: Event[] = sentryOn ? await sentry.waitForEvents(() => true, 15_000, expectedEvents) : [];
    // With Sentry off the app still answered every call and sent nothing anywhere but the collector.
    expect(events).toHaveLength(expectedEvents);
    expect(sentry.requests.filter((r) => r.endpoint === 'envelope')).toHaveLength(
      sentryOn ? sentry.requests.filter((r) => r.endpoint === 'envelope').length : 0,
    );
    const byId = new Map(events.map((e) => [e.event_id, e]));
    const sentryUser = { id: 'user_abc123', company_id: 'empresa_001', role: 'admin' };
    const facts = (id: unknown): unknown => {
      const e = byId.get(String(id));
      return (
        e && {
          level: e.level,
          user: e.user,
          tags: e.tags,
          extra: e.extra,
          ticket: e.contexts?.ticket,
          trace: e.contexts?.trace?.trace_id,
          crumbs: e.breadcrumbs?.map((b) => b.message),
        }
      );
    };
    expect(facts(ids.exception)).toEqual(
      onlyWith(
        sentryOn,
        has({
          level: 'error',
          user: sentryUser,
          tags: has({ operation: 'risky_operation', module: 'pipeline', company_id: 'empresa_001' }),
          extra: has({ input_data: { ticket: 'TICKET-123' }, step: 'classify' }),
          ticket: { ticket_id: 'TICKET-123', priority: 'high', category: 'billing', escalated: true },
          trace: ids.traceId,
          crumbs: expect.arrayContaining(['Queried RAG knowledge base']),
        }),
      ),
    );
    expect(facts(ids.message)).toEqual(
      onlyWith(
        sentryOn,
        has({ level: 'info', tags: has({ ticket_id: 'TICKET-123', confidence: '0.95' }), trace: ids.traceId }),
      ),
    );
    expect(events.map((e) => e.exception?.values?.[0]?.value ?? e.message).toSorted()).toEqual(
      sentryOn
        ? ['critical operation failed', 'High confidence response generated', 'risky operation failed'].toSorted()
        : [],
    );
  });

  it('seeded secrets appear in no payload, Sentry or OTLP', async () => {
    const { sentry, collector, app } = await setup(sentryOn, {
      SEED_EMAIL: SEED.email,
      SEED_URL_PASSWORD: SEED.urlPassword,
    });
    const res = await request(`${app.url}/secrets`, {
      headers: { 'x-api-key': SEED.apiKey, authorization: `Bearer ${SEED.bearer}`, cookie: SEED.cookie },
    });
    expect(res.status).toBe(200);
    const spans = await collector.waitForSpans((s) => s.kindName === 'server', 15_000, 1);
    await collector.waitForSpans((s) => s.events.some((e) => e.name === 'message'), 15_000, 1);
    if (sentryOn) await sentry.waitForEvents(() => true, 15_000, 2);
    const otlp = json(collector.spans);
    const envelopes = json(sentry.envelopes.map((e) => e.items));
    expect(otlp).toContain('secret-user');
    expect(spans.length).toBeGreaterThan(0);
    expect(envelopes.includes('rejected key')).toBe(sentryOn);
    const dsnKey = sentry.publicKey;
    for (const secret of [SEED.apiKey, SEED.bearer, SEED.cookie, SEED.email, SEED.urlPassword, dsnKey]) {
      const at = otlp.indexOf(secret);
      expect(at === -1 ? '' : otlp.slice(Math.max(0, at - 200), at + 60), `OTLP carries ${secret}`).toBe('');
      expect(envelopes.includes(secret), `Sentry carries ${secret}`).toBe(false);
    }
  });

  it(
    '10,000 requests across 50 tenants at concurrency 64: zero cross-tenant data in any event or span',
    { timeout: 300_000 },
    async () => {
      const { sentry, collector, app } = await setup(sentryOn, {
        OTEL_BSP_MAX_QUEUE_SIZE: '200000',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      });
      const total = 10_000;
      const tenants = Array.from({ length: 50 }, (_, i) => `tenant-${String(i).padStart(2, '0')}`);
      const agent = keepAliveAgent(64);
      let next = 0;
      let failures = 0;
      const worker = async (): Promise<void> => {
        while (next < total) {
          const i = next++;
          const t = tenants[i % tenants.length] ?? 'tenant-00';
          const res = await request(`${app.url}/tenant/${t}/${i}`, { agent });
          if (res.status !== 200 || res.text !== t) failures++;
        }
      };
      await Promise.all(Array.from({ length: 64 }, worker));
      agent.destroy();
      expect(failures).toBe(0);

      const servers = await collector.waitForSpans((s) => s.kindName === 'server', 120_000, total);
      expect(servers).toHaveLength(total);
      const expectedEvents = sentryOn ? Math.floor((total - 1) / 97) + 1 : 0;
      const events = sentryOn ? await sentry.waitForEvents(() => true, 60_000, expectedEvents) : [];
      expect(events).toHaveLength(expectedEvents);

      // Every tenant id found anywhere in a trace (attributes, breadcrumb events, URLs) must be that trace's.
      const tenantOfTrace = new Map<string, string>();
      for (const s of servers) tenantOfTrace.set(s.traceId, String(s.attributes['tenant.id']));
      const leaks: string[] = [];
      let checkedSpans = 0;
      for (const span of collector.spans) {
        const owner = tenantOfTrace.get(span.traceId);
        if (owner === undefined) continue;
        checkedSpans++;
        const found = new Set(json({ a: span.attributes, e: span.events }).match(/tenant-\d\d/g) ?? []);
        if (found.size !== 1 || !found.has(owner)) leaks.push(`${span.name} of ${owner}: ${[...found].join(',')}`);
      }
      for (const s of servers) {
        expect(s.attributes['user.id']).toBe(`user-${String(s.attributes['tenant.id'])}`);
        expect(s.attributes['tenant_tag']).toBe(s.attributes['tenant.id']);
      }
      // The server span, the fetch and the http client spans of every request were checked.
      expect(checkedSpans).toBeGreaterThanOrEqual(total * 3);
      for (const event of events) {
        const owner = String(event.user?.company_id);
        const found = new Set(
          json({ u: event.user, t: event.tags, b: event.breadcrumbs, x: event.exception, r: event.request }).match(
            /tenant-\d\d/g,
          ) ?? [],
        );
        if (found.size !== 1 || !found.has(owner))
          leaks.push(`event ${event.event_id} of ${owner}: ${[...found].join(',')}`);
        const crumbs = (event.breadcrumbs ?? []).filter((b) => b.category === 'tenant').map((b) => b.message);
        if (json(crumbs) !== json([`before-${owner}`, `after-${owner}`]))
          leaks.push(`event ${event.event_id} breadcrumbs ${json(crumbs)}`);
      }
      expect(leaks.slice(0, 20)).toEqual([]);
    },
  );
});
