// Span-export warnings over the real wire name the last failure's exact cause (HTTP 429 with its Retry-After,
// 503, a refused connection, a timeout), the endpoint with its secrets masked, and counts that stats() and the
// exit agree with. A backend's Retry-After is honoured: nothing more is sent to it before that time.
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  keepAliveAgent,
  request,
  runToExit,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
  type AppProcess,
  type Fault,
} from '../kit/index.js';

useKitCleanup();

interface Stats {
  received: number;
  exported: number;
  dropped: number;
  pending: number;
}

async function stats(app: AppProcess, flushMs = 0): Promise<{ flushed?: boolean; exporters: Record<string, Stats> }> {
  const res = await request(`${app.url}/__stats?flush=${flushMs}`, { timeoutMs: flushMs + 10_000 });
  return res.json as { flushed?: boolean; exporters: Record<string, Stats> };
}

async function load(app: AppProcess, tag: string, count: number): Promise<void> {
  const agent = keepAliveAgent(8);
  await Promise.all(
    Array.from({ length: count }, (_, i) => request(`${app.url}/ok/${tag}-${i}`, { agent, timeoutMs: 10_000 })),
  );
  agent.destroy();
}

const WARNING =
  /otel-sentry-bridge: exporter "(\w+)" failed \((.*)\); (\d+) span\(s\) dropped since the last warning \((.*?)\); endpoint (\S+)(?: \([\w/]+\))?\. Next/g;

function warnings(stderr: string): Array<{ exporter: string; cause: string; dropped: number; endpoint: string }> {
  return [...stderr.matchAll(WARNING)].map((m) => ({
    exporter: m[1] ?? '',
    cause: m[2] ?? '',
    dropped: Number(m[3]),
    endpoint: m[5] ?? '',
  }));
}

const SECRET = 'collector-password-42';
const QUERY_SECRET = 'collector-query-key-42';

/** Both span backends (Sentry's OTLP endpoint and a collector whose URL carries a password) failing alike. */
async function setup(fault: Fault) {
  const sentry = closeAfterTest(await startFakeSentry());
  const collector = closeAfterTest(await startOtlpReceiver());
  const app = await startApp('test/fixtures/reliability-app.mjs', {
    env: {
      SENTRY_DSN: sentry.dsn,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://bridge:${SECRET}@127.0.0.1:${collector.port}/v1/traces?api_key=${QUERY_SECRET}`,
      TELEMETRY_EXPORTERS: 'sentry,otlp',
      // Span accounting only: the log pipelines' own lines are tested in logs-faults.test.ts.
      TELEMETRY_LOGS: 'off',
      TELEMETRY_IGNORE_PATHS: '/__stats',
      TELEMETRY_SHUTDOWN_TIMEOUT_MS: '4000',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '16',
      OTEL_BSP_EXPORT_TIMEOUT: '1500',
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    },
  });
  // A refused port: the fault kit's `down` stops listening, so connections to the same port are refused.
  await sentry.setFault(fault.mode === 'down' ? fault : { ...fault, endpoint: 'otlp' });
  await collector.setFault(fault);
  return { sentry, collector, app };
}

const CASES: Array<[string, Fault, (port: number) => RegExp]> = [
  [
    '429 with Retry-After',
    { mode: '429', retryAfterSeconds: 30 },
    () => /^HTTP 429 Too Many Requests \(Retry-After: 30 s\)$/,
  ],
  ['503', { mode: '503', retryAfterSeconds: null }, () => /^HTTP 503 Service Unavailable$/],
  [
    'a refused port',
    { mode: 'down' },
    (port) => new RegExp(`^connection refused \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)$`),
  ],
  ['a hanging backend', { mode: 'hang' }, () => /^timeout: no answer within 1000 ms$/],
];

describe('span-export warnings name the cause, the endpoint and the counts', () => {
  for (const [label, fault, causeFor] of CASES) {
    it(`${label}: each exporter's warning names it; stats() and the exit agree with the counts`, async () => {
      const { sentry, collector, app } = await setup(fault);
      await load(app, 'failing', 60);
      // The flush sends what is queued (a Retry-After does not hold a flush back) and waits for every answer.
      const after = await stats(app, 6000);
      expect(after.flushed).toBe(false);
      const found = warnings(app.stderr());
      expect(found.map((w) => w.exporter).sort()).toEqual(['otlp', 'sentry']);
      for (const name of ['otlp', 'sentry']) {
        const s = after.exporters[name];
        expect(s).toEqual({ received: 60, exported: 0, dropped: 60, refused: 0, pending: 0 });
        const warning = found.find((w) => w.exporter === name);
        const port = name === 'otlp' ? collector.port : sentry.port;
        expect(warning?.cause).toMatch(causeFor(port));
        expect(warning?.dropped).toBeGreaterThan(0);
        expect(warning?.dropped).toBeLessThanOrEqual(60);
      }
      expect(found.find((w) => w.exporter === 'otlp')?.endpoint).toBe(
        `http://bridge:…@127.0.0.1:${collector.port}/v1/traces?api_key=…`,
      );
      expect(found.find((w) => w.exporter === 'sentry')?.endpoint).toBe(sentry.otlpTracesUrl);
      expect(app.stderr()).not.toContain(SECRET);
      expect(app.stderr()).not.toContain(QUERY_SECRET);
      expect(app.stderr()).not.toContain(sentry.publicKey);

      // Nothing pending at the exit: exit 0, and the loss over the process's life is named with the same counts.
      const exit = await app.kill('SIGTERM');
      expect(exit.code).toBe(0);
      const life = /lost over the process's life: (.*)/.exec(app.stderr())?.[1] ?? '';
      expect(life).toMatch(/sentry 60 spans \(last cause: (.*)\), otlp 60 spans \(last cause: (.*)\)/);
      const [, sentryCause, otlpCause] =
        /sentry 60 spans \(last cause: (.*)\), otlp 60 spans \(last cause: (.*)\)/.exec(life) ?? [];
      expect(sentryCause).toMatch(causeFor(sentry.port));
      expect(otlpCause).toMatch(causeFor(collector.port));
      console.log(`FIGURES ${label}: ${JSON.stringify({ stats: after.exporters, warnings: found, life })}`);
    });
  }

  it('names the cause over OTLP/HTTP JSON too (the stock serializer over the layer transport)', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/reliability-app.mjs', {
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${collector.port}/v1/traces`,
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        TELEMETRY_EXPORTERS: 'otlp',
        TELEMETRY_LOGS: 'off',
        TELEMETRY_IGNORE_PATHS: '/__stats',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '16',
        OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      },
    });
    await collector.setFault({ mode: '429', retryAfterSeconds: 30 });
    await load(app, 'json', 20);
    const after = await stats(app, 6000);
    const found = warnings(app.stderr());
    expect(found.map((w) => w.exporter)).toEqual(['otlp']);
    expect(found[0]?.cause).toMatch(/^HTTP 429 Too Many Requests \(Retry-After: 30 s\)$/);
    expect(found[0]?.endpoint).toBe(`http://127.0.0.1:${collector.port}/v1/traces`);
    expect(after.exporters.otlp).toEqual({ received: 20, exported: 0, dropped: 20, refused: 0, pending: 0 });
    expect(collector.rejected['429']).toBeGreaterThan(0);
  });

  it("honours Retry-After: after a 429 nothing more is sent before the backend's time, and every span is counted", async () => {
    const { sentry, collector, app } = await setup({ mode: '429', retryAfterSeconds: 30 });
    await load(app, 'first', 20);
    await collector.waitForRequests((r) => r.status === 429, 5000);
    await sentry.waitForRequests((r) => r.status === 429, 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const firstAnswers = { otlp: collector.rejected['429'], sentry: sentry.rejected['429'] };
    // Two more seconds of spans, a batch due every 100 ms: without the pause each batch would be another 429.
    for (let round = 0; round < 10; round++) {
      await load(app, `held-${round}`, 10);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(collector.rejected['429']).toBe(firstAnswers.otlp);
    expect(sentry.rejected['429']).toBe(firstAnswers.sentry);
    // At most the exports that were already waiting for their answers when the first 429 came back.
    expect(firstAnswers.otlp).toBeLessThanOrEqual(4);
    expect(firstAnswers.sentry).toBeLessThanOrEqual(4);
    const held = await stats(app);
    for (const name of ['otlp', 'sentry']) {
      const s = held.exporters[name];
      expect(s?.received).toBe(120);
      expect((s?.exported ?? 0) + (s?.dropped ?? 0) + (s?.pending ?? 0)).toBe(120);
      expect(s?.pending).toBeGreaterThanOrEqual(100);
    }
    // SIGTERM is the last chance: the queued spans are sent, refused again, and the exit says they were not delivered.
    const exit = await app.kill('SIGTERM');
    expect(exit.code).toBe(1);
    expect(app.stderr()).toMatch(
      /process exiting on SIGTERM: \d+ spans not delivered \(sentry: 120 received, 0 exported, 120 dropped; otlp: 120 received, 0 exported, 120 dropped\)/,
    );
    expect(collector.rejected['429']).toBeGreaterThan(firstAnswers.otlp);
  });
});

describe('spans pending at shutdown that a backend refuses are not delivered', () => {
  it('shutdown() reports flushed: false when the last batch is refused with a 503', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    await collector.setFault({ mode: '503', retryAfterSeconds: null });
    const result = await runToExit('test/fixtures/restart-app.mjs', {
      importRegister: false,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_TIMEOUT: '500' },
    });
    expect(result.stdout).toContain('first-run: flushed=false');
    expect(collector.rejected['503']).toBeGreaterThan(0);
  });

  it('SIGTERM with spans pending and a backend refusing them exits 1 and names them; healthy, it exits 0', async () => {
    for (const refused of [true, false]) {
      const collector = closeAfterTest(await startOtlpReceiver());
      if (refused) await collector.setFault({ mode: '503', retryAfterSeconds: null });
      const app = await startApp('test/fixtures/reliability-app.mjs', {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          TELEMETRY_EXPORTERS: 'otlp',
          TELEMETRY_LOGS: 'off',
          TELEMETRY_IGNORE_PATHS: '/__stats',
          // The batch waits for the signal: every span is pending at shutdown.
          OTEL_BSP_SCHEDULE_DELAY: '60000',
          OTEL_EXPORTER_OTLP_TIMEOUT: '500',
        },
      });
      await load(app, 'pending', 10);
      expect((await stats(app)).exporters['otlp']).toEqual({
        received: 10,
        exported: 0,
        dropped: 0,
        refused: 0,
        pending: 10,
      });
      const exit = await app.kill('SIGTERM');
      if (refused) {
        expect(exit.code).toBe(1);
        expect(app.stderr()).toContain(
          'otel-sentry-bridge: process exiting on SIGTERM: 10 spans not delivered (otlp: 10 received, 0 exported, 10 dropped)\n',
        );
        expect(app.stderr()).not.toContain('ran out');
      } else {
        expect(exit.code).toBe(0);
        expect(collector.spans).toHaveLength(10);
      }
    }
  });
});
