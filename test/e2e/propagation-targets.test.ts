// Who receives what, with real requests from a service under the bootstrap, over node:http and fetch: trace
// headers and `sentry-*` baggage only to TELEMETRY_PROPAGATION_TARGETS hosts, every other baggage entry only to
// TELEMETRY_BAGGAGE_TARGETS hosts, never two headers of one name, and incoming non-Sentry baggage accepted only
// from peers in TELEMETRY_BAGGAGE_ACCEPT_FROM (none by default), its tenant.id never sent on by a request that
// names no company itself. Two loopback downstreams: `localhost` and `127.0.0.1`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeAfterTest, request, startApp, useKitCleanup } from '../kit/index.js';

useKitCleanup();

interface Received {
  via: string;
  /** Header name (lowercase) -> every value received under that name. */
  headers: Map<string, string[]>;
}

interface Downstream {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

async function startDownstream(host: 'localhost' | '127.0.0.1'): Promise<Downstream> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const headers = new Map<string, string[]>();
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = String(req.rawHeaders[i]).toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), String(req.rawHeaders[i + 1])]);
    }
    received.push({ via: new URL(req.url ?? '/', 'http://x').searchParams.get('via') ?? '', headers });
    res.end('ok');
  });
  // `localhost` resolves the same way for the server and the clients, whichever loopback family comes first.
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const TRACE_HEADERS = ['traceparent', 'tracestate', 'sentry-trace'];

/** Baggage entries received, as key -> value (the header must have come once). */
function baggageOf(received: Received): Record<string, string> {
  const values = received.headers.get('baggage') ?? [];
  expect(values.length).toBeLessThanOrEqual(1);
  const entries: Record<string, string> = {};
  for (const member of (values[0] ?? '').split(',').filter((part) => part.trim() !== '')) {
    const eq = member.indexOf('=');
    entries[decodeURIComponent(member.slice(0, eq).trim())] = decodeURIComponent(member.slice(eq + 1).trim());
  }
  return entries;
}

function expectNoHeaderTwice(downstream: Downstream): void {
  for (const { headers } of downstream.received) {
    for (const [name, values] of headers) expect(values, `${name} at ${downstream.url}`).toHaveLength(1);
  }
}

async function scenario(
  baggageTargets: string,
  acceptFrom?: string,
): Promise<{ local: Downstream; loopbackIp: Downstream; traceIds: string[]; incoming: Array<Record<string, string>> }> {
  const local = closeAfterTest(await startDownstream('localhost'));
  const loopbackIp = closeAfterTest(await startDownstream('127.0.0.1'));
  const app = await startApp('test/fixtures/propagation-targets-app.mjs', {
    env: {
      SENTRY_TRACES_SAMPLE_RATE: '1.0',
      TELEMETRY_EXPORTERS: 'none',
      TELEMETRY_PROPAGATION_TARGETS: 'localhost',
      TELEMETRY_BAGGAGE_TARGETS: baggageTargets,
      ...(acceptFrom === undefined ? {} : { TELEMETRY_BAGGAGE_ACCEPT_FROM: acceptFrom }),
      TARGET_URLS: `${local.url},${loopbackIp.url}`,
    },
  });
  const traceIds: string[] = [];
  const incoming: Array<Record<string, string>> = [];
  for (const via of ['http', 'fetch']) {
    // The test client connects from 127.0.0.1 and sends a tenant id and another entry in baggage.
    const res = await request(`${app.url}/out?via=${via}`, { headers: { baggage: 'tenant.id=acme,region=eu' } });
    expect(res.status, res.text).toBe(200);
    const body = res.json as { traceId: string; incomingBaggage: Record<string, string> };
    traceIds.push(body.traceId);
    incoming.push(body.incomingBaggage);
  }
  for (const downstream of [local, loopbackIp]) {
    expect(downstream.received.map((r) => r.via)).toEqual(['http', 'fetch']);
    expectNoHeaderTwice(downstream);
  }
  return { local, loopbackIp, traceIds, incoming };
}

const sentryEntries = (baggage: Record<string, string>): string[] =>
  Object.keys(baggage).filter((key) => key.startsWith('sentry-'));
const otherEntries = (baggage: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(baggage).filter(([key]) => !key.startsWith('sentry-')));

describe('propagation targets and baggage targets over node:http and fetch', () => {
  it('baggage targets = localhost: 127.0.0.1 gets nothing, and the baggage of a 127.0.0.1 peer is dropped (no peer by default)', async () => {
    const { local, loopbackIp, traceIds, incoming } = await scenario('localhost');
    expect(incoming).toEqual([{}, {}]);
    local.received.forEach((received, i) => {
      for (const name of TRACE_HEADERS)
        expect(received.headers.get(name), `${name} via ${received.via}`).toHaveLength(1);
      expect(received.headers.get('traceparent')?.[0]).toMatch(new RegExp(`^00-${traceIds[i]}-[0-9a-f]{16}-03$`));
      expect(received.headers.get('sentry-trace')?.[0]).toMatch(new RegExp(`^${traceIds[i]}-[0-9a-f]{16}-1$`));
      const baggage = baggageOf(received);
      expect(baggage['sentry-trace_id']).toBe(traceIds[i]);
      expect(baggage['sentry-sampled']).toBe('true');
      // The app's entry and the caller's own header, merged into one; the 127.0.0.1 peer's tenant id is gone.
      expect(otherEntries(baggage), received.via).toEqual({ 'caller.key': '1', 'app.flag': 'on' });
    });
    for (const received of loopbackIp.received) {
      expect(
        [...received.headers.keys()].filter((name) => [...TRACE_HEADERS, 'baggage'].includes(name)),
        received.via,
      ).toEqual([]);
    }
  });

  it('baggage targets and accepted peers = 127.0.0.1: the peer’s entries go only there, its tenant id nowhere, trace data only to localhost', async () => {
    const { local, loopbackIp, traceIds, incoming } = await scenario('127.0.0.1', '127.0.0.1');
    // The tenant claim is taken out of the baggage (recorded on spans as tenant.received_id, not shown here).
    expect(incoming).toEqual([{ region: 'eu' }, { region: 'eu' }]);
    local.received.forEach((received, i) => {
      for (const name of TRACE_HEADERS)
        expect(received.headers.get(name), `${name} via ${received.via}`).toHaveLength(1);
      const baggage = baggageOf(received);
      expect(baggage['sentry-trace_id']).toBe(traceIds[i]);
      expect(otherEntries(baggage), received.via).toEqual({});
    });
    for (const received of loopbackIp.received) {
      expect(
        [...received.headers.keys()].filter((name) => TRACE_HEADERS.includes(name)),
        received.via,
      ).toEqual([]);
      const baggage = baggageOf(received);
      expect(sentryEntries(baggage), received.via).toEqual([]);
      // No authenticated company in this request: no tenant.id leaves, least of all the caller's claim.
      expect(baggage, received.via).toEqual({ 'caller.key': '1', region: 'eu', 'app.flag': 'on' });
    }
  });
});
