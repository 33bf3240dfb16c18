// Backend faults over the real wire: each span backend (Sentry's OTLP endpoint and a collector) down, slow,
// hanging, rate limiting with Retry-After, answering 500, or presenting a self-signed certificate. The service
// must answer as if nothing happened, account for every span, warn once per exporter, recover without a
// restart, and stop within its shutdown budget.
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  keepAliveAgent,
  request,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
  type AppProcess,
  type FakeSentry,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../kit/index.js';
import { startFailingFront, startSelfSignedServer } from '../fixtures/reliability-backends.js';

useKitCleanup();

const BUDGET_MS = 3000;
const EXPORTERS = ['otlp', 'sentry'] as const;

interface Stats {
  received: number;
  exported: number;
  dropped: number;
  pending: number;
}
interface StatsAnswer {
  flushed?: boolean;
  exporters: Record<string, Stats>;
  sentryEvents: EventStats;
  rss: number;
}

interface LoadResult {
  sent: number;
  byStatus: Record<number, number>;
  /** Requests that got no HTTP answer at all. */
  errors: number;
}

/** `count` requests from `clients` keep-alive clients: every 10th a 404 and every 10th+5 a 500 of the app's own. */
async function load(url: string, tag: string, count: number, clients = 16): Promise<LoadResult> {
  const agent = keepAliveAgent(clients);
  const result: LoadResult = { sent: 0, byStatus: {}, errors: 0 };
  let next = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < count) {
        const i = next++;
        const path = i % 10 === 0 ? '/missing' : i % 10 === 5 ? '/app-error' : `/ok/${tag}-${i}`;
        result.sent++;
        try {
          const res = await request(`${url}${path}`, { agent, timeoutMs: 10_000 });
          result.byStatus[res.status] = (result.byStatus[res.status] ?? 0) + 1;
        } catch {
          result.errors++;
        }
      }
    }),
  );
  agent.destroy();
  return result;
}

/** What the app answers without any fault: the statuses must be exactly these under every fault. */
function expectedStatuses(count: number): Record<number, number> {
  const tens = Array.from({ length: count }, (_, i) => i % 10);
  const count404 = tens.filter((d) => d === 0).length;
  const count500 = tens.filter((d) => d === 5).length;
  return { 200: count - count404 - count500, 404: count404, 500: count500 };
}

async function stats(app: AppProcess, flushMs = 0): Promise<StatsAnswer> {
  const res = await request(`${app.url}/__stats?flush=${flushMs}`, { timeoutMs: flushMs + 10_000 });
  return res.json as StatsAnswer;
}

interface Warning {
  exporter: string;
  reason: string;
  dropped: number;
  endpoint: string;
}

function warnings(stderr: string): Warning[] {
  return [
    ...stderr.matchAll(
      /otel-sentry-bridge: exporter "(\w+)" failed \((.*)\); (\d+) span\(s\) dropped.*?; endpoint (\S+)/g,
    ),
  ].map((m) => ({
    exporter: m[1] ?? '',
    reason: m[2] ?? '',
    dropped: Number(m[3]),
    endpoint: m[4] ?? '',
  }));
}

function finalCounts(stderr: string): Record<string, Omit<Stats, 'pending'>> {
  const counts: Record<string, Omit<Stats, 'pending'>> = {};
  for (const m of stderr.matchAll(/([\w-]+): (\d+) received, (\d+) exported, (\d+) dropped/g)) {
    // The span pipelines only: the log pipelines (`otlp-logs`, ...) carry the app's log lines.
    if (m[1]?.endsWith('-logs')) continue;
    counts[m[1] as string] = { received: Number(m[2]), exported: Number(m[3]), dropped: Number(m[4]) };
  }
  return counts;
}

const pathOf = (span: ReceivedSpan): string =>
  String(span.attributes['url.path'] ?? span.attributes['http.target'] ?? '');

interface FaultSetup {
  env: Record<string, string>;
  fault(): Promise<void>;
  /** Undefined when the fault cannot heal without new configuration (an untrusted certificate). */
  heal?: () => Promise<void>;
  sentry: FakeSentry;
  collector: OtlpReceiver;
}

async function kitFault(mode: 'down' | 'slow' | 'hang' | '429'): Promise<FaultSetup> {
  const sentry = closeAfterTest(await startFakeSentry());
  const collector = closeAfterTest(await startOtlpReceiver());
  const fault = { mode, delayMs: 2500, retryAfterSeconds: 1 } as const;
  return {
    env: { SENTRY_DSN: sentry.dsn, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    // `down` takes the whole fake Sentry down; the others hit only its OTLP endpoint, as a span fault would.
    fault: async () => {
      await sentry.setFault(mode === 'down' ? fault : { ...fault, endpoint: 'otlp' });
      await collector.setFault(fault);
    },
    heal: async () => {
      await sentry.setFault({ mode: 'ok' });
      await collector.setFault({ mode: 'ok' });
    },
    sentry,
    collector,
  };
}

async function status500(): Promise<FaultSetup> {
  const sentry = closeAfterTest(await startFakeSentry());
  const collector = closeAfterTest(await startOtlpReceiver());
  const sentryFront = closeAfterTest(await startFailingFront(sentry.url, null));
  const collectorFront = closeAfterTest(await startFailingFront(collector.url, null));
  return {
    env: {
      SENTRY_DSN: `http://${sentry.publicKey}@${new URL(sentryFront.url).host}/${sentry.projectId}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorFront.url,
    },
    fault: async () => {
      sentryFront.setStatus(500);
      collectorFront.setStatus(500);
    },
    heal: async () => {
      sentryFront.setStatus(null);
      collectorFront.setStatus(null);
    },
    sentry,
    collector,
  };
}

async function selfSigned(): Promise<FaultSetup> {
  const sentryTls = closeAfterTest(await startSelfSignedServer());
  const collectorTls = closeAfterTest(await startSelfSignedServer());
  // Receivers that must stay empty: nothing gets past the handshake.
  const sentry = closeAfterTest(await startFakeSentry());
  const collector = closeAfterTest(await startOtlpReceiver());
  return {
    env: {
      SENTRY_DSN: `https://${sentry.publicKey}@${new URL(sentryTls.url).host}/4242`,
      OTEL_EXPORTER_OTLP_ENDPOINT: collectorTls.url,
    },
    fault: async () => {},
    sentry,
    collector,
  };
}

/** Each mode with the cause its warnings must name (never "queue full" alone: the queue fills because of it). */
const MODES: Array<[string, () => Promise<FaultSetup>, RegExp]> = [
  ['down', () => kitFault('down'), /^connection refused \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/],
  ['slow (2.5 s, export timeout 1 s)', () => kitFault('slow'), /^timeout: no answer within 1000 ms$/],
  ['hanging', () => kitFault('hang'), /^timeout: no answer within 1000 ms$/],
  ['429 with Retry-After', () => kitFault('429'), /^HTTP 429 Too Many Requests \(Retry-After: 1 s\)$/],
  ['500', status500, /^HTTP 500 Internal Server Error$/],
  ['self-signed TLS', selfSigned, /^TLS error: self-signed certificate/],
];

describe('every span backend failing at once', () => {
  for (const [label, setup, cause] of MODES) {
    it(`${label}: same answers, created = exported + dropped, one warning per exporter, recovery, shutdown in budget`, async () => {
      const backends = await setup();
      const app = await startApp('test/fixtures/reliability-app.mjs', {
        env: {
          ...backends.env,
          TELEMETRY_EXPORTERS: 'sentry,otlp',
          SENTRY_ENVIRONMENT: 'staging',
          TELEMETRY_IGNORE_PATHS: '/__stats',
          TELEMETRY_SHUTDOWN_TIMEOUT_MS: String(BUDGET_MS),
          OTEL_BSP_SCHEDULE_DELAY: '100',
          OTEL_BSP_EXPORT_TIMEOUT: '1000',
          OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
          // Small enough that the failing phase also overflows it now and then: those drops must be counted too.
          OTEL_BSP_MAX_QUEUE_SIZE: '512',
          OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '128',
        },
      });
      const rssBefore = (await stats(app)).rss;
      await backends.fault();

      // Failing phase: the service answers exactly as it would without telemetry.
      const phase1 = await load(app.url, 'p1', 800);
      expect(phase1.errors).toBe(0);
      expect(phase1.byStatus).toEqual(expectedStatuses(800));
      const s1 = await stats(app, 8000);
      for (const name of EXPORTERS) {
        const c = s1.exporters[name];
        expect(c?.received).toBe(800);
        expect(c?.pending).toBe(0);
        expect((c?.exported ?? 0) + (c?.dropped ?? 0)).toBe(800);
        expect(c?.dropped).toBeGreaterThan(0);
      }
      const firstWarnings = warnings(app.stderr());
      expect(firstWarnings.map((w) => w.exporter).sort()).toEqual(['otlp', 'sentry']);
      expect(firstWarnings.every((w) => w.dropped > 0)).toBe(true);
      for (const w of firstWarnings) {
        expect(w.reason).toMatch(cause);
        expect(w.endpoint).toMatch(/^https?:\/\/127\.0\.0\.1:\d+\//);
      }

      let phase2: LoadResult | undefined;
      let s2: StatsAnswer = s1;
      if (backends.heal) {
        // The backend is back: spans flow again in the same process, nothing more is dropped.
        await backends.heal();
        phase2 = await load(app.url, 'p2', 200);
        expect(phase2.errors).toBe(0);
        expect(phase2.byStatus).toEqual(expectedStatuses(200));
        s2 = await stats(app, 8000);
        const okPaths = 200 - expectedStatuses(200)[404]! - expectedStatuses(200)[500]!;
        const isP2 = (s: ReceivedSpan): boolean => s.kindName === 'server' && pathOf(s).startsWith('/ok/p2-');
        await backends.collector.waitForSpans(isP2, 10_000, okPaths);
        await backends.sentry.waitForSpans(isP2, 10_000, okPaths);
        for (const name of EXPORTERS) {
          expect(s2.exporters[name]?.received).toBe(1000);
          expect(s2.exporters[name]?.dropped).toBe(s1.exporters[name]?.dropped);
          expect(s2.exporters[name]?.exported).toBe((s1.exporters[name]?.exported ?? 0) + 200);
        }
      } else {
        expect(backends.collector.spans).toHaveLength(0);
        expect(backends.sentry.spans).toHaveLength(0);
      }

      // Failing again at shutdown, with spans still queued: the process stops within its budget.
      await backends.fault();
      const phase3 = await load(app.url, 'p3', 100);
      expect(phase3.byStatus).toEqual(expectedStatuses(100));
      const rssAfter = (await stats(app)).rss;
      const signalledAt = Date.now();
      const exit = await app.kill('SIGTERM');
      const stoppedAfterMs = Date.now() - signalledAt;
      // Functional bound: the budget plus process stop slack on a shared machine.
      expect(stoppedAfterMs).toBeLessThan(BUDGET_MS + 2000);
      expect(exit.signal).toBeNull();
      const total = 800 + (phase2 ? 200 : 0) + 100;
      // Exit 0: nothing was pending any more when the signal came. Exit 1: spans pending at the signal were not
      // delivered (refused, or the budget ran out), and the counts are on stderr, still adding up.
      const final = finalCounts(app.stderr());
      expect(Object.keys(final).sort()).toEqual(exit.code === 0 ? [] : ['otlp', 'sentry']);
      for (const c of Object.values(final)) {
        expect(c.received).toBe(total);
        expect(c.exported + c.dropped).toBe(c.received);
      }
      // Still one warning per exporter: a failure minute never repeats it.
      const allWarnings = warnings(app.stderr());
      expect(allWarnings.filter((w) => w.exporter === 'otlp')).toHaveLength(1);
      expect(allWarnings.filter((w) => w.exporter === 'sentry')).toHaveLength(1);

      console.log(
        `FIGURES ${label}: ${JSON.stringify({
          served: phase1.sent + (phase2?.sent ?? 0) + phase3.sent,
          httpErrors: phase1.errors + (phase2?.errors ?? 0) + phase3.errors,
          afterFailingPhase: s1.exporters,
          afterRecovery: phase2 ? s2.exporters : 'no recovery (certificate)',
          atShutdown: final,
          exit,
          stoppedAfterMs,
          warnings: allWarnings,
          rssMiB: { before: Math.round(rssBefore / 2 ** 20), after: Math.round(rssAfter / 2 ** 20) },
        })}`,
      );
    });
  }
});

interface EventStats {
  tracked: boolean;
  sent: number;
  dropped: number;
  droppedBy: { rateLimit: number; network: number; queueOverflow: number; other: number };
  pending: number;
  lastCause?: string;
}

async function eventStats(app: AppProcess, flushMs: number): Promise<EventStats> {
  return (await stats(app, flushMs)).sentryEvents;
}

/** `count` requests that each capture one Sentry message event. */
async function captureEvents(url: string, tag: string, count: number): Promise<void> {
  const agent = keepAliveAgent(8);
  await Promise.all(
    Array.from({ length: count }, (_, i) => request(`${url}/event/${tag}-${i}`, { agent, timeoutMs: 10_000 })),
  );
  agent.destroy();
}

const EVENT_FAULTS: Array<[string, 'down' | 'hang' | '429', keyof EventStats['droppedBy'], RegExp]> = [
  ['down', 'down', 'network', /ECONNREFUSED/],
  ['hanging (idle timeout = budget)', 'hang', 'queueOverflow', /no answer from Sentry within 3000 ms/],
  ['429 with Retry-After', '429', 'rateLimit', /HTTP 429 \(Retry-After: 1 s\)/],
];

describe('Sentry events lost in an outage are counted and named', () => {
  for (const [label, mode, kind, cause] of EVENT_FAULTS) {
    it(`${label}: stats() counts them by cause, a warning names the cause, the exit names the loss and exits 0`, async () => {
      const sentry = closeAfterTest(await startFakeSentry());
      const app = await startApp('test/fixtures/reliability-app.mjs', {
        env: {
          SENTRY_DSN: sentry.dsn,
          TELEMETRY_EXPORTERS: 'sentry',
          TELEMETRY_IGNORE_PATHS: '/__stats',
          TELEMETRY_SHUTDOWN_TIMEOUT_MS: String(BUDGET_MS),
        },
      });
      await sentry.setFault({
        mode,
        retryAfterSeconds: 1,
        ...(mode === 'down' ? {} : { endpoint: 'envelope' as const }),
      });
      await captureEvents(app.url, 'outage', 100);
      // A hanging Sentry holds the transport's sockets (30) for the idle timeout each: 64 envelopes take three rounds.
      const during = await eventStats(app, mode === 'hang' ? 4 * BUDGET_MS : BUDGET_MS + 2000);
      expect(during.tracked).toBe(true);
      expect(during.pending).toBe(0);
      expect(during.sent + during.dropped).toBe(100);
      expect(during.droppedBy[kind]).toBeGreaterThan(0);
      expect(during.lastCause).toMatch(cause);

      const lines = [
        ...app
          .stderr()
          .matchAll(/otel-sentry-bridge: Sentry events to (\S+) failed \((.*?)\); (\d+) event\(s\) dropped/g),
      ];
      expect(lines).toHaveLength(1);
      expect(lines[0]?.[1]).toBe(`${sentry.url}/api/${sentry.projectId}/envelope/`);
      expect(lines[0]?.[2]).toMatch(cause);
      expect(Number(lines[0]?.[3])).toBeGreaterThan(0);
      expect(app.stderr()).not.toContain(sentry.publicKey);

      // Sentry is back: events arrive again and are counted as sent.
      await sentry.setFault({ mode: 'ok' });
      if (mode === '429') await new Promise((resolve) => setTimeout(resolve, 1100));
      await captureEvents(app.url, 'healed', 20);
      const after = await eventStats(app, 5000);
      expect(after.sent).toBe(during.sent + 20);
      expect(after.dropped).toBe(during.dropped);
      await sentry.waitForEvents(
        (event) => String(event.message ?? '').startsWith('reliability event healed-'),
        10_000,
        20,
      );

      // A rollout after the recovered outage: nothing pending, so exit 0, and the loss is named.
      const exit = await app.kill('SIGTERM');
      expect(exit.code).toBe(0);
      const report = /lost over the process's life: (.*)/.exec(app.stderr())?.[1] ?? '';
      expect(report).toContain(`Sentry events ${during.dropped} (`);
      expect(report).toMatch(cause);
      console.log(`FIGURES events ${label}: ${JSON.stringify({ during, after, warning: lines[0]?.[0], report })}`);
    });
  }
});
