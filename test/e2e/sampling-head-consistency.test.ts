// This service at the head of 1,000 traces at rate 0.3, with two downstream peers that decide on their own
// (no parent inheritance) at the same rate: the real @sentry/node 11 with a tracesSampler that ignores
// parentSampled (it reads the trace's sample_rand from our baggage), and an OpenTelemetry service with
// sampler-composite's consistent probability sampler (it reads `ot=rv`, else the trace id). One randomness for
// both ecosystems means all three keep exactly the same traces.
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  keepAliveAgent,
  request,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
} from '../kit/index.js';
import { streamedSpans } from './sampling-helpers.js';

useKitCleanup();

interface Answer {
  traceId: string;
  sampled: boolean;
  peers: Array<{ service: string; traceId: string; sampled: boolean }>;
}

const CONCURRENCY = 16;

async function runTraces(url: string, count: number): Promise<Answer[]> {
  const agent = keepAliveAgent(CONCURRENCY);
  const answers: Answer[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const res = await request(`${url}/relay`, { agent });
      expect(res.status, res.text).toBe(200);
      answers.push(res.json as Answer);
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    agent.destroy();
  }
  return answers;
}

const sorted = (ids: Iterable<string>): string[] => [...new Set(ids)].sort();

async function headWithPeers(
  bridgeRate: string,
  peerRate: string,
  traces: number,
): Promise<{
  answers: Answer[];
  bridgeKept: string[];
  sentryPeerKept: string[];
  otelPeerKept: string[];
}> {
  const bridgeOtlp = closeAfterTest(await startOtlpReceiver());
  const peerSentry = closeAfterTest(await startFakeSentry());
  const otelPeerOtlp = closeAfterTest(await startOtlpReceiver());
  const sentryPeer = await startApp('test/fixtures/sampling-sentry-peer.mjs', {
    importRegister: false,
    env: { SENTRY_DSN: peerSentry.dsn, PEER_INDEPENDENT_RATE: peerRate },
  });
  const otelPeer = await startApp('test/fixtures/sampling-otel-peer.mjs', {
    importRegister: false,
    env: { OTLP_TRACES_URL: otelPeerOtlp.tracesUrl, OTEL_PEER_RATE: peerRate },
  });
  const bridge = await startApp('test/fixtures/sampling-bridge-app.mjs', {
    env: {
      TELEMETRY_EXPORTERS: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: bridgeOtlp.url,
      SENTRY_TRACES_SAMPLE_RATE: bridgeRate,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      PEER_URLS: `${sentryPeer.url},${otelPeer.url}`,
    },
  });
  const answers = await runTraces(bridge.url, traces);
  // Each process flushes on SIGTERM: afterwards everything that was kept has arrived.
  for (const app of [bridge, sentryPeer, otelPeer]) expect((await app.kill('SIGTERM')).code, app.stderr()).toBe(0);

  const traceIds = new Set(answers.map((answer) => answer.traceId));
  const bridgeKept = sorted(bridgeOtlp.spans.filter((s) => s.kindName === 'server').map((s) => s.traceId));
  const sentryPeerKept = sorted(
    streamedSpans(peerSentry)
      .filter(({ span }) => span.is_segment)
      .map(({ span }) => span.trace_id),
  );
  const otelPeerKept = sorted(otelPeerOtlp.spans.filter((s) => s.kindName === 'server').map((s) => s.traceId));
  // Nothing arrived that the test did not start, and every trace was started here (one trace per request).
  expect(traceIds.size).toBe(traces);
  for (const id of [...bridgeKept, ...sentryPeerKept, ...otelPeerKept]) expect(traceIds.has(id)).toBe(true);
  // What each service said it decided reached its backend. @sentry/node's own transport keeps at most 64
  // envelopes in memory and streams one per request, so under this burst it drops some of the peer's: the
  // peer's decisions are read from what it reported, and its backend must hold no trace it did not keep.
  const reported = (service: string): string[] =>
    sorted(answers.filter((a) => a.peers.find((p) => p.service === service)?.sampled).map((a) => a.traceId));
  expect(sorted(answers.filter((a) => a.sampled).map((a) => a.traceId))).toEqual(bridgeKept);
  const sentryPeerDecided = reported('sentry-peer');
  expect(sentryPeerKept.every((id) => sentryPeerDecided.includes(id))).toBe(true);
  // How many of them survive its transport is @sentry/node's business (2 to 21 of ~310 lost here under load).
  expect(sentryPeerKept.length).toBeGreaterThan(sentryPeerDecided.length / 2);
  expect(reported('otel-peer')).toEqual(otelPeerKept);
  return { answers, bridgeKept, sentryPeerKept: sentryPeerDecided, otelPeerKept };
}

describe('this service at the head, peers deciding on their own at the same rate', () => {
  it(
    '1,000 traces at rate 0.3: the @sentry/node peer and the OTel peer keep exactly the traces this service keeps',
    { timeout: 120_000 },
    async () => {
      const { bridgeKept, sentryPeerKept, otelPeerKept } = await headWithPeers('0.3', '0.3', 1000);
      console.log(
        `head at 0.3: kept ${bridgeKept.length}/1000 here, ${sentryPeerKept.length} at the @sentry/node peer, ${otelPeerKept.length} at the OTel peer`,
      );
      // 1,000 Bernoulli(0.3) draws: 300 ± 58 is four standard deviations.
      expect(bridgeKept.length).toBeGreaterThan(242);
      expect(bridgeKept.length).toBeLessThan(358);
      expect(sentryPeerKept).toEqual(bridgeKept);
      expect(otelPeerKept).toEqual(bridgeKept);
    },
  );

  it(
    'the peers really decide for themselves: with this service at 1.0 they still keep only their 0.3, the same traces',
    { timeout: 120_000 },
    async () => {
      const { answers, bridgeKept, sentryPeerKept, otelPeerKept } = await headWithPeers('1.0', '0.3', 400);
      console.log(
        `head at 1.0, peers at 0.3: kept ${bridgeKept.length}/400 here, ${sentryPeerKept.length} at the @sentry/node peer, ${otelPeerKept.length} at the OTel peer`,
      );
      expect(bridgeKept).toHaveLength(400);
      // Inherited decisions would keep all 400; independent ones keep about 120, and the same ones.
      expect(sentryPeerKept.length).toBeGreaterThan(80);
      expect(sentryPeerKept.length).toBeLessThan(160);
      expect(otelPeerKept).toEqual(sentryPeerKept);
      expect(answers.every((a) => a.sampled)).toBe(true);
    },
  );
});
