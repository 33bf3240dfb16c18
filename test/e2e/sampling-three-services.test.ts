// Three processes over real HTTP: a client sending what a Sentry browser SDK sends (sentry-trace + baggage with
// a DSC), this service under the bootstrap at another local rate, and downstream a service running the real
// @sentry/node 11 in its own tracing mode. The client's decision and sample_rand hold in both services, the DSC
// arrives unchanged, trace ids agree, and an error captured in each service lands on the client's trace.
import { randomBytes } from 'node:crypto';
import type { Event } from '@sentry/core';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  request,
  startApp,
  startFakeSentry,
  useKitCleanup,
  type FakeSentry,
  type ReceivedEnvelope,
} from '../kit/index.js';
import { streamedSpans } from './sampling-helpers.js';

useKitCleanup();

interface PeerAnswer {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  sampled?: boolean;
  dsc?: Record<string, string>;
  headers: { baggage?: string; 'sentry-trace'?: string; traceparent?: string };
}

interface BridgeAnswer {
  traceId?: string;
  spanId?: string;
  sampled?: boolean;
  peers: PeerAnswer[];
}

interface BrowserTrace {
  traceId: string;
  spanId: string;
  sampled: boolean;
  /** The DSC as the browser froze it, in its field order. */
  dsc: Record<string, string>;
  headers: Record<string, string>;
}

/** What @sentry/browser sends on a fetch to its API: sentry-trace and a baggage header with the frozen DSC. */
function browserTrace(sampled: boolean, sampleRand: string): BrowserTrace {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const dsc: Record<string, string> = {
    environment: 'production',
    release: 'frontend@1.4.2',
    public_key: 'b7f1e2d3c4a5968778695a4b3c2d1e0f',
    trace_id: traceId,
    org_id: '4711',
    transaction: '/checkout',
    sampled: String(sampled),
    sample_rand: sampleRand,
    sample_rate: '0.5',
  };
  // Sentry's dynamicSamplingContextToSentryBaggageHeader: `sentry-` keys, URI-encoded values, in DSC order.
  const baggage = Object.entries(dsc)
    .map(([key, value]) => `${encodeURIComponent(`sentry-${key}`)}=${encodeURIComponent(value)}`)
    .join(',');
  return {
    traceId,
    spanId,
    sampled,
    dsc,
    headers: { 'sentry-trace': `${traceId}-${spanId}-${sampled ? 1 : 0}`, baggage },
  };
}

const messageOf = (event: Event): string | undefined => event.exception?.values?.[0]?.value;

function envelopeOfEvent(sentry: FakeSentry, event: Event): ReceivedEnvelope | undefined {
  return sentry.envelopes.find((envelope) =>
    envelope.items.some((item) => (item.payload as Event | undefined)?.event_id === event.event_id),
  );
}

async function runThreeServices(
  client: BrowserTrace,
  bridgeRate: string,
  peerRate: string,
): Promise<{
  answer: BridgeAnswer;
  bridgeSentry: FakeSentry;
  peerSentry: FakeSentry;
}> {
  const bridgeSentry = closeAfterTest(await startFakeSentry());
  const peerSentry = closeAfterTest(await startFakeSentry());
  const peer = await startApp('test/fixtures/sampling-sentry-peer.mjs', {
    importRegister: false,
    env: { SENTRY_DSN: peerSentry.dsn, PEER_TRACES_SAMPLE_RATE: peerRate },
  });
  const bridge = await startApp('test/fixtures/sampling-bridge-app.mjs', {
    env: {
      SENTRY_DSN: bridgeSentry.dsn,
      SENTRY_ORG_ID: '4711',
      SENTRY_TRACES_SAMPLE_RATE: bridgeRate,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      PEER_URLS: peer.url,
    },
  });
  const res = await request(`${bridge.url}/relay?capture=1`, { headers: client.headers });
  expect(res.status, res.text).toBe(200);
  // SIGTERM: the bootstrap drains and flushes spans and events; the peer fixture flushes Sentry. After the
  // exits every span and event either arrived or never will.
  expect((await bridge.kill('SIGTERM')).code, bridge.stderr()).toBe(0);
  expect((await peer.kill('SIGTERM')).code, peer.stderr()).toBe(0);
  return { answer: res.json as BridgeAnswer, bridgeSentry, peerSentry };
}

/** The error captured in a service: on the client's trace, with the decision and the client's DSC. */
function expectErrorOnTrace(
  sentry: FakeSentry,
  message: string,
  client: BrowserTrace,
  checkSampledFlag: boolean,
): void {
  const errors = sentry.events.filter((event) => messageOf(event) === message);
  expect(errors, `${message} at its fake Sentry`).toHaveLength(1);
  const [error] = errors as [Event];
  expect(error.contexts?.trace?.trace_id).toBe(client.traceId);
  // The layer writes `sampled` into the trace context as Sentry's tracing did; @sentry/node 11 itself leaves it
  // out of error events and carries the decision only in the DSC below.
  if (checkSampledFlag) expect(error.contexts?.trace?.sampled).toBe(client.sampled);
  // The envelope's trace header is what Sentry's dynamic sampling reads: the client's DSC, unchanged.
  expect(envelopeOfEvent(sentry, error)?.headers['trace']).toEqual(client.dsc);
}

describe('browser -> bridge (bootstrap) -> @sentry/node 11 peer', () => {
  it('a sampled browser decision holds in both services although both local rates would drop it', async () => {
    // sample_rand 0.2345678 >= 0.1: a decision of their own would drop the trace in both services.
    const client = browserTrace(true, '0.2345678');
    const { answer, bridgeSentry, peerSentry } = await runThreeServices(client, '0.1', '0.1');
    const [peer] = answer.peers as [PeerAnswer];

    expect(answer.traceId).toBe(client.traceId);
    expect(answer.sampled).toBe(true);
    expect(peer.traceId).toBe(client.traceId);
    expect(peer.sampled).toBe(true);
    expect(peer.dsc?.sample_rand).toBe('0.2345678');
    // The DSC is frozen at the browser: the bridge forwards it byte for byte.
    expect(peer.headers.baggage).toBe(client.headers['baggage']);
    expect(peer.dsc).toEqual(client.dsc);

    // The bridge exported its server span as a child of the browser span, and the peer continues the bridge's
    // client span.
    const bridgeSpans = bridgeSentry.spans.filter((span) => span.traceId === client.traceId);
    const server = bridgeSpans.find((span) => span.kindName === 'server');
    const clientSpan = bridgeSpans.find((span) => span.kindName === 'client');
    expect(server?.parentSpanId).toBe(client.spanId);
    expect(clientSpan?.parentSpanId).toBe(server?.spanId);
    expect(peer.parentSpanId).toBe(clientSpan?.spanId);
    expect(peer.headers['sentry-trace']).toBe(`${client.traceId}-${clientSpan?.spanId}-1`);
    expect(peer.headers.traceparent).toMatch(new RegExp(`^00-${client.traceId}-${clientSpan?.spanId}-01$`));

    // The peer sent its server span, on the same trace, with the browser's DSC in the envelope header.
    const peerSpans = streamedSpans(peerSentry);
    expect(peerSpans.map(({ span }) => [span.trace_id, span.span_id, span.parent_span_id])).toEqual([
      [client.traceId, peer.spanId, clientSpan?.spanId],
    ]);
    expect(peerSpans[0]?.dsc).toEqual(client.dsc);

    expectErrorOnTrace(bridgeSentry, 'bridge service failure', client, true);
    expectErrorOnTrace(peerSentry, 'sentry peer failure', client, false);
  });

  it('an unsampled browser decision holds in both services although both local rates are 1.0', async () => {
    const client = browserTrace(false, '0.7654321');
    const { answer, bridgeSentry, peerSentry } = await runThreeServices(client, '1.0', '1.0');
    const [peer] = answer.peers as [PeerAnswer];

    expect(answer.traceId).toBe(client.traceId);
    expect(answer.sampled).toBe(false);
    expect(peer.traceId).toBe(client.traceId);
    expect(peer.sampled).toBe(false);
    expect(peer.dsc?.sample_rand).toBe('0.7654321');
    expect(peer.headers.baggage).toBe(client.headers['baggage']);
    expect(peer.dsc).toEqual(client.dsc);
    expect(peer.headers['sentry-trace']).toMatch(new RegExp(`^${client.traceId}-[0-9a-f]{16}-0$`));
    expect(peer.headers.traceparent).toMatch(new RegExp(`^00-${client.traceId}-[0-9a-f]{16}-00$`));

    // Both processes have flushed and exited: no span and no transaction of this trace anywhere.
    expect(bridgeSentry.spans.filter((span) => span.traceId === client.traceId)).toEqual([]);
    expect(streamedSpans(peerSentry)).toEqual([]);
    expect(peerSentry.transactions).toEqual([]);

    // Errors are sent whatever the decision, on the same trace, marked unsampled.
    expectErrorOnTrace(bridgeSentry, 'bridge service failure', client, true);
    expectErrorOnTrace(peerSentry, 'sentry peer failure', client, false);
  });
});
