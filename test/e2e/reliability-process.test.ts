// The process outcome under the bootstrap: a crash under load is captured, flushed and ends with exit 1 as Node
// would; OTEL_SDK_DISABLED=true turns the span side off cleanly; telemetry never keeps a finished process alive.
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  loadUntilGone,
  request,
  runToExit,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
  type ReceivedSpan,
} from '../kit/index.js';

useKitCleanup();

const BUDGET_MS = 3000;
const pathOf = (span: ReceivedSpan): string =>
  String(span.attributes['url.path'] ?? span.attributes['http.target'] ?? '');

describe('a crash under load', () => {
  for (const kind of ['exception', 'rejection'] as const) {
    it(`uncaught ${kind}: captured, event and finished spans flushed, exit 1`, async () => {
      const sentry = closeAfterTest(await startFakeSentry());
      const collector = closeAfterTest(await startOtlpReceiver());
      const app = await startApp('test/fixtures/reliability-app.mjs', {
        env: {
          SENTRY_DSN: sentry.dsn,
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          TELEMETRY_EXPORTERS: 'sentry,otlp',
          SENTRY_ENVIRONMENT: 'staging',
          TELEMETRY_SHUTDOWN_TIMEOUT_MS: String(BUDGET_MS),
          // Nothing leaves before the crash unless a batch fills: the flush at the crash must send the rest.
          OTEL_BSP_SCHEDULE_DELAY: '60000',
        },
      });
      const load = loadUntilGone(app.url, 16);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const crash = await request(`${app.url}/crash/${kind}`);
      expect(crash.status).toBe(202);
      const exit = await app.exited;
      const { ok, okPaths } = await load.done;
      expect(exit).toEqual({ code: 1, signal: null });
      expect(ok).toBeGreaterThan(50);

      const message = `reliability: ${kind === 'exception' ? 'uncaught exception' : 'unhandled rejection'} under load`;
      const events = sentry.events.filter((e) => e.exception?.values?.[0]?.value === message);
      expect(events).toHaveLength(1);
      expect(events[0]?.exception?.values?.[0]?.mechanism?.handled).toBe(false);
      // Every request the clients saw answered has its server span at both backends.
      for (const spans of [collector.spans, sentry.spans]) {
        const served = new Set(spans.filter((s) => s.kindName === 'server').map(pathOf));
        expect([...okPaths].filter((p) => !served.has(p))).toEqual([]);
        expect(served.has(`/crash/${kind}`)).toBe(true);
      }
      console.log(
        `FIGURES crash (${kind}): ${JSON.stringify({ served: ok, serverSpansAtCollector: collector.spans.filter((s) => s.kindName === 'server').length, events: events.length, exit })}`,
      );
    });
  }
});

describe('a crash inside a request', () => {
  it('ends the open spans of the crashed request with an error, flushes them and says what happened', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/reliability-app.mjs', {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        TELEMETRY_EXPORTERS: 'sentry,otlp',
        // The line names spans and events only; with log records: logs-faults.test.ts.
        TELEMETRY_LOGS: 'off',
        TELEMETRY_SHUTDOWN_TIMEOUT_MS: '4000',
        OTEL_BSP_SCHEDULE_DELAY: '60000',
      },
    });
    for (let i = 0; i < 5; i++) expect((await request(`${app.url}/ok/${i}`)).status).toBe(200);
    // Never answered: the handler's work throws before it responds.
    const crashed = request(`${app.url}/crash/in-request`).then(
      () => 'answered',
      () => 'cut',
    );
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(await crashed).toBe('cut');

    const message = 'reliability: uncaught exception in a request';
    for (const spans of [collector.spans, sentry.spans]) {
      expect(
        spans
          .filter((s) => s.kindName === 'server')
          .map(pathOf)
          .sort(),
      ).toEqual(['/crash/in-request', '/ok/0', '/ok/1', '/ok/2', '/ok/3', '/ok/4']);
      const server = spans.find((s) => pathOf(s) === '/crash/in-request');
      const work = spans.find((s) => s.name === 'crashing work');
      // Marked at the crash, from the failing callback's context, with the exception recorded.
      for (const span of [server, work]) {
        expect(span?.status).toEqual({ code: 2, message: `uncaught exception: ${message}` });
        expect(span?.events.map((e) => e.name)).toContain('exception');
      }
      expect(work?.parentSpanId).toBe(server?.spanId);
    }
    const events = sentry.events.filter((e) => e.exception?.values?.[0]?.value === message);
    expect(events).toHaveLength(1);
    expect(app.stderr()).toMatch(
      /otel-sentry-bridge: uncaught exception: reliability: uncaught exception in a request; flushed 7 spans to sentry, 7 to otlp and 1 Sentry event\n/,
    );
    expect(app.stderr()).not.toMatch(/budget .* ran out/);
  });
});

describe('OTEL_SDK_DISABLED=true', () => {
  it('serves with no span, no exporter and no trace header, and still captures the crash', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/reliability-app.mjs', {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        SENTRY_ENVIRONMENT: 'staging',
        OTEL_SDK_DISABLED: 'true',
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
    });
    for (let i = 0; i < 50; i++) expect((await request(`${app.url}/ok/${i}`)).status).toBe(200);
    expect((await request(`${app.url}/missing`)).status).toBe(404);
    const stats = (await request(`${app.url}/__stats?flush=2000`)).json as { exporters: Record<string, unknown> };
    expect(stats.exporters).toEqual({});
    expect((await request(`${app.url}/crash/exception`)).status).toBe(202);
    expect(await app.exited).toEqual({ code: 1, signal: null });
    await sentry.waitForEvents((e) => e.exception?.values?.[0]?.value === 'reliability: uncaught exception under load');
    expect(collector.requests).toHaveLength(0);
    expect(sentry.requests.filter((r) => r.endpoint === 'otlp')).toHaveLength(0);
    expect(app.stderr()).not.toMatch(/exporter ".*" failed/);
  });
});

describe('a script that ends on its own', () => {
  const oneshot = 'test/fixtures/reliability-oneshot.mjs';

  it('exits 0 with its spans and events delivered', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const run = await runToExit(oneshot, {
      env: { SENTRY_DSN: sentry.dsn, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, SENTRY_ENVIRONMENT: 'staging' },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('DONE');
    expect(collector.spans.map((s) => s.name).sort()).toEqual(['oneshot job', 'step one']);
    expect(sentry.spans.map((s) => s.name).sort()).toEqual(['oneshot job', 'step one']);
    expect(sentry.events.map((e) => e.message ?? e.exception?.values?.[0]?.value).sort()).toEqual([
      'oneshot: done',
      'oneshot: handled error',
    ]);
  });

  it('still exits by itself, within its timeouts, when every backend hangs', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    await sentry.setFault({ mode: 'hang' });
    await collector.setFault({ mode: 'hang' });
    const started = Date.now();
    const run = await runToExit(oneshot, {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        SENTRY_ENVIRONMENT: 'staging',
        TELEMETRY_SHUTDOWN_TIMEOUT_MS: '2000',
        OTEL_EXPORTER_OTLP_TIMEOUT: '2000',
        OTEL_BSP_EXPORT_TIMEOUT: '2000',
      },
      timeoutMs: 30_000,
    });
    const ranMs = Date.now() - started;
    expect(run.code).toBe(0);
    // Functional bound: process start plus the 2 s upload and export timeouts, never the 20 s of a stuck socket.
    expect(ranMs).toBeLessThan(15_000);
    expect(run.stderr).toMatch(/exporter "otlp" failed/);
    console.log(`FIGURES oneshot with hanging backends: exited ${run.code} after ${ranMs} ms`);
  });
});
