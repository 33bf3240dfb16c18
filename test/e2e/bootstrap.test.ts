// The bootstrap over the real wire: fixture apps under `node --import dist/instrumentation/register.js`, the
// fake Sentry and an OTLP receiver on loopback.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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

interface Downstream {
  url: string;
  requests: Array<{ url: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

async function startDownstream(): Promise<Downstream> {
  const requests: Downstream['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const byName = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan[] => spans.filter((s) => s.name === name);
const spanKey = (span: ReceivedSpan): string => `${span.traceId}/${span.spanId}/${span.name}`;

describe('express app under --import with both exporters', () => {
  it('emits one server span per request named by route, one client span per call, the same spans to both backends', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const downstream = closeAfterTest(await startDownstream());
    const app = await startApp('test/fixtures/express-app.mjs', {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer collector-secret-token',
        TELEMETRY_EXPORTERS: 'sentry,otlp',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        DOWNSTREAM_URL: downstream.url,
      },
    });
    for (const id of ['1', '2', '3']) {
      const res = await request(`${app.url}/api/tickets/${id}`);
      expect(res.status).toBe(200);
    }

    const serverSpans = await collector.waitForSpans((s) => s.kindName === 'server', 15_000, 3);
    expect(serverSpans).toHaveLength(3);
    expect(serverSpans.map((s) => s.name)).toEqual(Array(3).fill('GET /api/tickets/:id'));
    // fetch, http.request (default import) and request (named import): one client span each, per request.
    const clientSpans = await collector.waitForSpans((s) => s.kindName === 'client', 15_000, 9);
    expect(clientSpans).toHaveLength(9);
    expect(clientSpans.every((s) => String(s.attributes['url.full']).startsWith(downstream.url))).toBe(true);

    // Every downstream call carried a traceparent naming its own client span.
    expect(downstream.requests).toHaveLength(9);
    const clientIds = new Set(clientSpans.map((s) => `${s.traceId}-${s.spanId}`));
    for (const call of downstream.requests) {
      const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[0-3]$/.exec(String(call.headers.traceparent));
      expect(match, `traceparent of ${call.url}`).not.toBeNull();
      expect(clientIds.has(`${match?.[1]}-${match?.[2]}`)).toBe(true);
    }
    for (const path of ['/fetch', '/default-import', '/named-import']) {
      expect(downstream.requests.filter((r) => r.url.startsWith(path))).toHaveLength(3);
    }

    // The same spans reach Sentry's OTLP endpoint.
    const collected = await collector.waitForSpans(() => true, 5_000, collector.spans.length);
    const atSentry = await sentry.waitForSpans(() => true, 15_000, collected.length);
    expect(new Set(atSentry.map(spanKey))).toEqual(new Set(collected.map(spanKey)));
    expect(byName(atSentry, 'GET /api/tickets/:id')).toHaveLength(3);

    // The collector's credentials never reach Sentry; Sentry's own auth header is there.
    const otlpRequests = sentry.requests.filter((r) => r.endpoint === 'otlp');
    expect(otlpRequests.length).toBeGreaterThan(0);
    for (const r of sentry.requests) {
      expect(JSON.stringify(r.headers)).not.toContain('collector-secret-token');
      expect(r.headers.authorization).toBeUndefined();
    }
    expect(otlpRequests.every((r) => r.authorized)).toBe(true);
    expect(collector.requests.some((r) => r.headers.authorization === 'Bearer collector-secret-token')).toBe(true);
    await app.kill();
  });

  it('links a captured error to the active span, without spans for Sentry uploads or breadcrumbs for OTLP exports', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/express-app.mjs', {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        TELEMETRY_EXPORTERS: 'sentry,otlp',
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
    });
    // Make OTLP exports happen before the error so a breadcrumb for them would show up in the event.
    await request(`${app.url}/api/tickets/warmup`);
    await collector.waitForSpans((s) => s.kindName === 'server', 10_000);
    const res = await request(`${app.url}/api/users/alice/fail`);
    expect(res.status).toBe(500);

    const [event] = await sentry.waitForEvents((e) => e.exception?.values?.[0]?.value === 'failure for alice', 15_000);
    const handlerSpans = await collector.waitForSpans(
      (s) => s.traceId === event?.contexts?.trace?.trace_id && s.spanId === event?.contexts?.trace?.span_id,
      15_000,
    );
    expect(handlerSpans).toHaveLength(1);
    const serverSpan = await collector.waitForSpans(
      (s) => s.kindName === 'server' && s.name === 'GET /api/users/:user/fail',
      10_000,
    );
    expect(serverSpan[0]?.traceId).toBe(event?.contexts?.trace?.trace_id);

    // Let a few more export cycles and uploads run, then look for telemetry about telemetry.
    await request(`${app.url}/api/tickets/after`);
    await collector.waitForSpans((s) => s.name === 'GET /api/tickets/:id', 10_000, 2);
    const allSpans = collector.spans;
    expect(allSpans.filter((s) => String(s.attributes['url.full'] ?? '').includes('/envelope/'))).toHaveLength(0);
    expect(allSpans.filter((s) => String(s.attributes['url.full'] ?? '').includes('/v1/traces'))).toHaveLength(0);
    const crumbs = event?.breadcrumbs ?? [];
    expect(crumbs.filter((c) => JSON.stringify(c.data ?? {}).includes('/v1/traces'))).toHaveLength(0);
    expect(crumbs.filter((c) => JSON.stringify(c.data ?? {}).includes('/envelope/'))).toHaveLength(0);
    expect(sentry.transactions).toHaveLength(0);
    await app.kill();
  });

  it('keeps each concurrent request in its own scope: user, tags and fetch breadcrumbs over one keep-alive agent', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const downstream = closeAfterTest(await startDownstream());
    const app = await startApp('test/fixtures/express-app.mjs', {
      env: { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'none', DOWNSTREAM_URL: downstream.url },
    });
    const agent = keepAliveAgent(2);
    const rounds = 20;
    for (let round = 0; round < rounds; round++) {
      await Promise.all([
        request(`${app.url}/api/users/u${round}a/fail?delay=15`, { agent }),
        request(`${app.url}/api/users/u${round}b/fail?delay=1`, { agent }),
      ]);
    }
    agent.destroy();
    const events = await sentry.waitForEvents((e) => Boolean(e.exception), 20_000, rounds * 2);
    expect(events).toHaveLength(rounds * 2);
    let clean = 0;
    for (const event of events) {
      const user = /failure for (\S+)/.exec(event.exception?.values?.[0]?.value ?? '')?.[1];
      const fetchCrumbs = (event.breadcrumbs ?? []).filter((c) => String(c.data?.url ?? '').includes('/fetch?user='));
      const ok =
        event.user?.id === user &&
        event.tags?.requester === user &&
        fetchCrumbs.length === 1 &&
        String(fetchCrumbs[0]?.data?.url).endsWith(`user=${user}`);
      if (ok) clean++;
    }
    expect(clean).toBe(rounds * 2);
    await app.kill();
  });
});

describe('per-request Sentry scopes', () => {
  // The layer forks each request's scopes itself (request-isolation.ts) and leaves to Sentry's httpIntegration
  // only what it does not do: request bodies (sendDefaultPii) and sessions. Whichever forks, an error event
  // must carry the same request data, transaction name and nothing sensitive.
  const paths = [
    // The layer makes a request's two scopes only when something reads or writes one: this route touches none.
    { path: 'the layer', env: {}, clonesPerRequest: 0 },
    // Sentry's fork: the isolation scope, then the current scope three times (isolation, trace, active span).
    { path: "Sentry's httpIntegration (sessions on)", env: { SENTRY_TRACK_SESSIONS: 'true' }, clonesPerRequest: 4 },
  ];
  for (const { path, env, clonesPerRequest } of paths) {
    it(`records the request on error events the way Sentry does, forked by ${path}`, async () => {
      const sentry = closeAfterTest(await startFakeSentry());
      const app = await startApp('test/fixtures/express-app.mjs', {
        env: { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'none', ...env },
      });
      const agent = keepAliveAgent(1);
      const clones = async (): Promise<number> =>
        ((await request(`${app.url}/api/scope-clones`, { agent })).json as { scopeClones: number }).scopeClones;
      await clones();
      const before = await clones();
      expect((await clones()) - before).toBe(clonesPerRequest);

      const res = await request(`${app.url}/api/users/bob/fail?delay=1&page=2`, {
        agent,
        headers: { 'x-request-id': 'req-7', authorization: 'Bearer s3cret-bearer', cookie: 'session=s3cret-cookie' },
      });
      expect(res.status).toBe(500);
      const late = await request(`${app.url}/api/users/erin/late-fail?delay=30`, {
        agent,
        headers: { 'x-request-id': 'req-8' },
      });
      expect(late.status).toBe(202);
      // Its scopes made before the response closes: the status reaches them when it does.
      const touched = await request(`${app.url}/api/users/frank/late-fail?delay=30&touch=1`, { agent });
      expect(touched.status).toBe(202);
      // The request as it arrived: not the URL a mounted router rewrote, nor the body a parser read (PII is off).
      const mounted = await request(`${app.url}/api/mounted/users/dave/fail?delay=1`, {
        agent,
        body: { question: 's3cret question' },
      });
      expect(mounted.status).toBe(500);
      agent.destroy();
      const [event] = await sentry.waitForEvents((e) => e.exception?.values?.[0]?.value === 'failure for bob', 15_000);
      const [mountedEvent] = await sentry.waitForEvents(
        (e) => e.exception?.values?.[0]?.value === 'failure for dave',
        15_000,
      );
      expect(mountedEvent?.request).toMatchObject({
        method: 'POST',
        url: `${app.url}/api/mounted/users/dave/fail?delay=1`,
        query_string: 'delay=1',
      });
      expect(mountedEvent?.request?.data).toBeUndefined();
      expect(JSON.stringify(mountedEvent)).not.toMatch(/s3cret/);
      expect(event?.transaction).toBe('GET /api/users/bob/fail');
      expect(event?.request).toMatchObject({
        method: 'GET',
        url: `${app.url}/api/users/bob/fail?delay=1&page=2`,
        query_string: 'delay=1&page=2',
        headers: expect.objectContaining({ 'x-request-id': 'req-7' }),
      });
      expect(JSON.stringify(event)).not.toMatch(/s3cret/);
      // Captured after the response: the scopes still hold the request, its route and the response's status.
      const [lateEvent] = await sentry.waitForEvents(
        (e) => e.exception?.values?.[0]?.value === 'late failure for erin',
        15_000,
      );
      expect(lateEvent?.transaction).toBe('GET /api/users/erin/late-fail');
      expect(lateEvent?.request).toMatchObject({
        method: 'GET',
        url: `${app.url}/api/users/erin/late-fail?delay=30`,
        headers: expect.objectContaining({ 'x-request-id': 'req-8' }),
      });
      expect(lateEvent?.contexts?.response).toEqual({ status_code: 202 });
      const [touchedEvent] = await sentry.waitForEvents(
        (e) => e.exception?.values?.[0]?.value === 'late failure for frank',
        15_000,
      );
      expect(touchedEvent?.tags?.requester).toBe('frank');
      expect(touchedEvent?.contexts?.response).toEqual({ status_code: 202 });
      await app.kill();
    });
  }

  it("leaves requests to Sentry's fork when it captures bodies (sendDefaultPii): the JSON body is on the event", async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const app = await startApp('test/fixtures/express-app.mjs', {
      env: { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'none', SENTRY_SEND_DEFAULT_PII: 'true' },
    });
    const res = await request(`${app.url}/api/users/carol/fail?delay=1`, { body: { question: 'where is my refund?' } });
    expect(res.status).toBe(500);
    const [event] = await sentry.waitForEvents((e) => e.exception?.values?.[0]?.value === 'failure for carol', 15_000);
    expect(event?.request).toMatchObject({ method: 'POST', url: `${app.url}/api/users/carol/fail?delay=1` });
    expect(JSON.stringify(event?.request?.data)).toContain('where is my refund?');
    await app.kill();
  });
});

describe('plain node:http app under --import', () => {
  it('emits one server span and one client span (named import) with traceparent injected', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    const downstream = closeAfterTest(await startDownstream());
    const app = await startApp('test/fixtures/http-app.mjs', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        DOWNSTREAM_URL: downstream.url,
      },
    });
    expect((await request(`${app.url}/anything`)).text).toBe('downstream 200');
    const spans = await collector.waitForSpans(2, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(collector.spans.filter((s) => s.kindName === 'server')).toHaveLength(1);
    const clients = collector.spans.filter((s) => s.kindName === 'client');
    expect(clients).toHaveLength(1);
    const header = String(downstream.requests[0]?.headers.traceparent);
    expect(header).toMatch(new RegExp(`^00-${clients[0]?.traceId}-${clients[0]?.spanId}-0[13]$`));
    expect(spans.every((s) => s.traceId === clients[0]?.traceId)).toBe(true);
    await app.kill();
  });

  it('instruments once when the bootstrap is imported twice', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    const downstream = closeAfterTest(await startDownstream());
    const app = await startApp('test/fixtures/http-app.mjs', {
      nodeArgs: ['--import', './dist/instrumentation/register.js'],
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_BSP_SCHEDULE_DELAY: '50',
        DOWNSTREAM_URL: downstream.url,
      },
    });
    await request(`${app.url}/twice`);
    await collector.waitForSpans(2, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(collector.spans.filter((s) => s.kindName === 'client')).toHaveLength(1);
    expect(collector.spans.filter((s) => s.kindName === 'server')).toHaveLength(1);
    expect(app.stderr().match(/^otel-sentry-bridge \S+: service=/gm)).toHaveLength(1);
    await app.kill();
  });
});

describe('other exporters', () => {
  it('exports over OTLP gRPC', async () => {
    const { startOtlpGrpcReceiver } = await import('../kit/index.js');
    const receiver = closeAfterTest(await startOtlpGrpcReceiver());
    const app = await startApp('test/fixtures/http-app.mjs', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
    });
    await request(`${app.url}/grpc`);
    const [span] = await receiver.waitForSpans((s) => s.kindName === 'server', 10_000);
    expect(span?.name).toBe('GET');
    expect(span?.resource['service.name']).toBe('otel-sentry-bridge');
    await app.kill();
  });

  it('prints each finished trace as a tree in development, nothing leaving the process', async () => {
    const downstream = closeAfterTest(await startDownstream());
    const app = await startApp('test/fixtures/express-app.mjs', {
      env: { NODE_ENV: 'development', DOWNSTREAM_URL: downstream.url, OTEL_BSP_SCHEDULE_DELAY: '50' },
    });
    expect(app.stderr()).toMatch(/exporters=console /);
    await request(`${app.url}/api/tickets/42`);
    const [, traceId] = await app.waitForLine(/^trace ([0-9a-f]{32})$/, 10_000);
    await app.waitForLine(/^ {2}GET \/api\/tickets\/:id [\d.]+ ms \{.*http\.route=\/api\/tickets\/:id/, 10_000);
    await app.waitForLine(
      /^ {4,}└ GET [\d.]+ ms \{.*url\.full=http:\/\/127\.0\.0\.1:\d+\/named-import\?ticket=42/,
      10_000,
    );
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await app.kill();
  });
});
