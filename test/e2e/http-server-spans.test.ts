// TELEMETRY_HTTP_SERVER_SPANS=diagnostics-channel over the real wire: the same express app run twice, once with
// instrumentation-http's server spans and once with the diagnostics-channel ones, answers the same requests;
// each request's server span must be the same (name, kind, status, scope, attributes but the ports), hold the
// same descendants (the express handler, the client calls it makes) and continue the caller's trace.
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  otlpEnv,
  request,
  sentryEnv,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
  type AppProcess,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../kit/index.js';

useKitCleanup();

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0736aa';
const CALLER_SPAN = '00f067aa0ba902b7';
/** Different in every run by nature: the app's port and the client's. */
const PER_RUN = new Set(['server.port', 'network.peer.port']);

async function startDownstream(): Promise<{ url: string; traceparents: string[] }> {
  const traceparents: string[] = [];
  const server = createServer((req, res) => {
    const header = req.headers.traceparent;
    if (typeof header === 'string') traceparents.push(header);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closeAfterTest({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, traceparents };
}

/** A request the client gives up on before the answer: its span must still end, when the response closes. */
function abortedRequest(url: string, headers: IncomingHttpHeaders): Promise<void> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { headers });
    req.on('error', () => resolve());
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, 150);
  });
}

interface Requests {
  /** The marker in each request's user agent, by case. */
  cases: string[];
}

async function drive(app: AppProcess): Promise<Requests> {
  const headers = (marker: string): IncomingHttpHeaders => ({
    traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01`,
    baggage: 'sentry-trace_id=4bf92f3577b34da6a3ce929d0e0736aa,sentry-sample_rate=1,sentry-sampled=true',
    'user-agent': `server-spans-test/${marker}`,
    'x-forwarded-for': '203.0.113.9, 10.0.0.1',
  });
  expect((await request(`${app.url}/api/tickets/42?sig=secret&page=2`, { headers: headers('route') })).status).toBe(
    200,
  );
  expect((await request(`${app.url}/api/users/u1/fail`, { headers: headers('error') })).status).toBe(500);
  expect(
    (await request(`${app.url}/api/users/u2/fail`, { method: 'POST', body: { a: 1 }, headers: headers('body') }))
      .status,
  ).toBe(500);
  expect((await request(`${app.url}/api/health`, { headers: headers('ignored') })).status).toBe(200);
  expect((await request(`${app.url}/no/such/path`, { method: 'PURGE', headers: headers('not-found') })).status).toBe(
    404,
  );
  await abortedRequest(`${app.url}/api/users/u3/fail?delay=600`, headers('aborted'));
  return { cases: ['route', 'error', 'body', 'not-found', 'aborted'] };
}

function serverSpanOf(otlp: OtlpReceiver, service: string, marker: string): ReceivedSpan | undefined {
  return otlp.spans.find(
    (s) =>
      s.resource['service.name'] === service &&
      s.kindName === 'server' &&
      s.attributes['user_agent.original'] === `server-spans-test/${marker}`,
  );
}

/** The span as the test compares it: everything but ids, times and the per-run ports. */
function comparable(span: ReceivedSpan, all: ReceivedSpan[]): object {
  const attributes = Object.fromEntries(Object.entries(span.attributes).filter(([key]) => !PER_RUN.has(key)));
  const descendants: string[] = [];
  const visit = (parent: ReceivedSpan, depth: number): void => {
    for (const child of all.filter((s) => s.parentSpanId === parent.spanId)) {
      descendants.push(`${depth} ${child.kindName} ${child.name} ${child.scope.name}`);
      visit(child, depth + 1);
    }
  };
  visit(span, 1);
  return {
    name: span.name,
    kind: span.kindName,
    status: span.status,
    scope: span.scope,
    traceId: span.traceId,
    parentSpanId: span.parentSpanId,
    flags: span.flags,
    events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    attributes,
    descendants: descendants.sort(),
  };
}

describe('TELEMETRY_HTTP_SERVER_SPANS=diagnostics-channel', () => {
  it('makes the server span instrumentation-http makes, in whose context the handler runs', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const otlp = closeAfterTest(await startOtlpReceiver());
    const downstream = await startDownstream();
    const env = (service: string): Record<string, string> => ({
      ...sentryEnv(sentry),
      ...otlpEnv(otlp),
      OTEL_SERVICE_NAME: service,
      DOWNSTREAM_URL: downstream.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      // instrumentation-http says so for every request its server half handles.
      OTEL_LOG_LEVEL: 'debug',
    });
    const upstream = await startApp('test/fixtures/express-app.mjs', {
      env: { ...env('upstream'), TELEMETRY_HTTP_SERVER_SPANS: 'instrumentation-http' },
    });
    const channel = await startApp('test/fixtures/express-app.mjs', {
      env: { ...env('channel'), TELEMETRY_HTTP_SERVER_SPANS: 'diagnostics-channel' },
    });

    const { cases } = await drive(upstream);
    await drive(channel);

    for (const service of ['upstream', 'channel']) {
      await otlp.waitForSpans(
        (s) => s.resource['service.name'] === service && s.kindName === 'server',
        15_000,
        cases.length,
      );
    }
    // The handlers' own spans and client calls are exported with or after their server span.
    await otlp.waitForSpans((s) => s.resource['service.name'] === 'channel' && s.kindName === 'client', 15_000, 6);
    for (const marker of cases) {
      const expected = serverSpanOf(otlp, 'upstream', marker);
      const actual = serverSpanOf(otlp, 'channel', marker);
      expect(expected, marker).toBeDefined();
      expect(actual, marker).toBeDefined();
      expect({ marker, ...comparable(actual!, otlp.spans) }).toEqual({
        marker,
        ...comparable(expected!, otlp.spans),
      });
    }

    // The spans were made by two paths: instrumentation-http's server half handled no request of the second app.
    const handledByInstrumentation = /http instrumentation incomingRequest/;
    expect(upstream.stdout() + upstream.stderr()).toMatch(handledByInstrumentation);
    expect(channel.stdout() + channel.stderr()).not.toMatch(handledByInstrumentation);

    // What the comparison rests on: the spans hold what the cases are about.
    const route = serverSpanOf(otlp, 'channel', 'route')!;
    expect(route).toMatchObject({ name: 'GET /api/tickets/:id', traceId: TRACE_ID, parentSpanId: CALLER_SPAN });
    expect(route.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/api/tickets/:id',
      'http.response.status_code': 200,
      'url.path': '/api/tickets/42',
      // instrumentation-http's REDACTED, then the layer's redaction.
      'url.query': 'sig=[Filtered]&page=2',
      'url.scheme': 'http',
      'client.address': '203.0.113.9',
      'server.address': '127.0.0.1',
      'network.protocol.version': '1.1',
    });
    expect(route.attributes['server.port']).toBe(Number(new URL(channel.url).port));
    expect(serverSpanOf(otlp, 'channel', 'error')!.status.code).toBe(2);
    expect(serverSpanOf(otlp, 'channel', 'not-found')!.attributes).toMatchObject({
      'http.request.method': '_OTHER',
      'http.request.method_original': 'PURGE',
    });
    expect(serverSpanOf(otlp, 'channel', 'ignored')).toBeUndefined();
    // The client calls of the handler, after awaits and a body read, are the server span's grandchildren.
    const clientCalls = comparable(serverSpanOf(otlp, 'channel', 'route')!, otlp.spans) as { descendants: string[] };
    expect(clientCalls.descendants.filter((c) => c.startsWith('2 client')).length).toBe(3);
    const body = comparable(serverSpanOf(otlp, 'channel', 'body')!, otlp.spans) as { descendants: string[] };
    expect(body.descendants.some((c) => c.startsWith('2 client'))).toBe(true);
    expect(downstream.traceparents.filter((t) => t.startsWith(`00-${TRACE_ID}-`)).length).toBeGreaterThanOrEqual(12);
  });

  it('replaces the server half of the full auto-instrumentation set too: one server span, the same one', async () => {
    const otlp = closeAfterTest(await startOtlpReceiver());
    const env = (service: string, source: string): Record<string, string> => ({
      ...otlpEnv(otlp),
      OTEL_SERVICE_NAME: service,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      TELEMETRY_INSTRUMENTATIONS: 'all',
      TELEMETRY_HTTP_SERVER_SPANS: source,
      OTEL_LOG_LEVEL: 'debug',
    });
    const upstream = await startApp('test/fixtures/express-app.mjs', { env: env('upstream', 'instrumentation-http') });
    const channel = await startApp('test/fixtures/express-app.mjs', { env: env('channel', 'diagnostics-channel') });
    const headers = { 'user-agent': 'server-spans-test/all' };
    for (const app of [upstream, channel]) {
      expect((await request(`${app.url}/api/tickets/7?calls=0`, { headers })).status).toBe(200);
    }
    for (const service of ['upstream', 'channel']) {
      await otlp.waitForSpans((s) => s.resource['service.name'] === service && s.kindName === 'server', 15_000);
    }
    // A second server span would come with the first one's batch.
    await otlp.waitForSpans((s) => s.resource['service.name'] === 'channel' && s.kindName === 'internal', 15_000);
    const servers = (service: string): ReceivedSpan[] =>
      otlp.spans.filter((s) => s.resource['service.name'] === service && s.kindName === 'server');
    expect(channel.stdout() + channel.stderr()).not.toMatch(/http instrumentation incomingRequest/);
    expect(upstream.stdout() + upstream.stderr()).toMatch(/http instrumentation incomingRequest/);
    expect(servers('channel')).toHaveLength(1);
    expect(servers('upstream')).toHaveLength(1);
    const {
      descendants: _channelTree,
      traceId: _channelTrace,
      ...actual
    } = comparable(servers('channel')[0]!, otlp.spans) as {
      descendants: string[];
      traceId: string;
    };
    const {
      descendants: _upstreamTree,
      traceId: _upstreamTrace,
      ...expected
    } = comparable(servers('upstream')[0]!, otlp.spans) as {
      descendants: string[];
      traceId: string;
    };
    expect(actual).toEqual(expected);
    expect(actual).toMatchObject({ name: 'GET /api/tickets/:id' });
  });
});
