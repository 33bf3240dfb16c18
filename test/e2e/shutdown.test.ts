// SIGTERM under load: drain, flush within the budget, exit; every span accounted for, even with a hanging backend.
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
} from '../kit/index.js';

useKitCleanup();

const BUDGET_MS = 3000;

interface ExporterCounts {
  received: number;
  exported: number;
  dropped: number;
}

function parseCounts(stderr: string): Record<string, ExporterCounts> {
  const counts: Record<string, ExporterCounts> = {};
  for (const m of stderr.matchAll(/([\w-]+): (\d+) received, (\d+) exported, (\d+) dropped/g)) {
    counts[m[1] as string] = { received: Number(m[2]), exported: Number(m[3]), dropped: Number(m[4]) };
  }
  return counts;
}

describe('SIGTERM under load', () => {
  it('exports the span of every completed request and exits 0 when the backends answer', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/http-app.mjs', {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        TELEMETRY_EXPORTERS: 'sentry,otlp',
        TELEMETRY_SHUTDOWN_TIMEOUT_MS: String(BUDGET_MS),
      },
    });
    const load = loadUntilGone(app.url, 20).done;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const exit = await app.kill('SIGTERM');
    const { ok } = await load;
    expect(ok).toBeGreaterThan(100);
    expect(exit).toEqual({ code: 0, signal: null });
    const isServer = (s: { kindName: string }): boolean => s.kindName === 'server';
    expect(sentry.spans.filter(isServer)).toHaveLength(ok);
    expect(collector.spans.filter(isServer)).toHaveLength(ok);
  });

  it('exits within the budget with one backend hanging, and counts every span as exported or dropped', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    await collector.setFault({ mode: 'hang' });
    const app = await startApp('test/fixtures/http-app.mjs', {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        TELEMETRY_EXPORTERS: 'sentry,otlp',
        TELEMETRY_SHUTDOWN_TIMEOUT_MS: String(BUDGET_MS),
        // A small queue so the hanging backend overflows it: drops must be counted, not hidden.
        OTEL_BSP_MAX_QUEUE_SIZE: '200',
        OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '100',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    const load = loadUntilGone(app.url, 20).done;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const signalledAt = Date.now();
    const exit = await app.kill('SIGTERM');
    const exitedAfterMs = Date.now() - signalledAt;
    const { ok } = await load;

    expect(ok).toBeGreaterThan(200);
    expect(exit.code).toBe(1);
    // Functional bound, not a benchmark: the budget plus process start/stop slack on a shared machine.
    expect(exitedAfterMs).toBeLessThan(BUDGET_MS + 2000);
    const counts = parseCounts(app.stderr());
    // The log pipelines (the app's start-up line) are counted alike.
    expect(Object.keys(counts).sort()).toEqual(['otlp', 'otlp-logs', 'sentry', 'sentry-logs']);
    for (const c of Object.values(counts)) {
      expect(c.received).toBe(c.exported + c.dropped);
    }
    expect(counts.otlp?.received).toBe(ok);
    expect(counts.otlp?.dropped).toBe(ok);
    expect(counts.sentry?.exported).toBe(ok);
    expect(sentry.spans.filter((s) => s.kindName === 'server')).toHaveLength(ok);
    // The failure was reported, once, with its dropped count.
    expect(app.stderr().match(/exporter "otlp" failed/g)).toHaveLength(1);
  });

  it('leaves the exit to an app that listens for SIGTERM itself, after flushing', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/own-sigterm-app.mjs', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '60000' },
    });
    await request(`${app.url}/one`);
    process.kill(app.pid, 'SIGTERM');
    await app.waitForLine(/app got SIGTERM/);
    // The layer flushed although the batch delay is a minute away, and did not exit for the app.
    await collector.waitForSpans((s) => s.kindName === 'server', 10_000);
    expect((await request(`${app.url}/still-serving`)).status).toBe(200);
    const exit = await app.kill('SIGKILL');
    expect(exit.signal).toBe('SIGKILL');
  });
});

describe('process.exit() right after the work', () => {
  const fixture = 'test/fixtures/process-exit-app.mjs';
  const names = ['exit job', 'step one', 'step three', 'step two'];

  it('delivers the spans and the event ended just before it, and exits with the code given', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const run = await runToExit(fixture, {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        TELEMETRY_EXPORTERS: 'sentry,otlp',
        OTEL_BSP_SCHEDULE_DELAY: '60000',
        EXIT_CODE: '3',
      },
    });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('EXITING');
    expect(collector.spans.map((s) => s.name).sort()).toEqual(names);
    expect(sentry.spans.map((s) => s.name).sort()).toEqual(names);
    expect(sentry.events.map((e) => e.message)).toEqual(['process-exit: done']);
    expect(run.stderr).not.toMatch(/not delivered/);
  });

  it('keeps process.exitCode when called without an argument', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    const run = await runToExit(fixture, {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        OTEL_BSP_SCHEDULE_DELAY: '60000',
        EXIT_CODE: '4',
        EXIT_CODE_PROPERTY: '1',
      },
    });
    expect(run.code).toBe(4);
    expect(collector.spans.map((s) => s.name).sort()).toEqual(names);
  });

  it('says how many spans were not delivered when a backend hangs, and keeps the code given', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    await collector.setFault({ mode: 'hang' });
    const run = await runToExit(fixture, {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        TELEMETRY_EXPORTERS: 'sentry,otlp',
        TELEMETRY_SHUTDOWN_TIMEOUT_MS: '1500',
        OTEL_BSP_SCHEDULE_DELAY: '60000',
      },
    });
    expect(run.code).toBe(0);
    expect(sentry.spans.map((s) => s.name).sort()).toEqual(names);
    expect(sentry.events.map((e) => e.message)).toEqual(['process-exit: done']);
    expect(run.stderr).toMatch(
      /otel-sentry-bridge: process\.exit\(0\): 4 spans not delivered \(sentry: 4 received, 4 exported, 0 dropped; otlp: 4 received, 0 exported, 4 dropped\)/,
    );
  });

  it('with TELEMETRY_EXIT_FLUSH=false exits at once, as plain Node, and counts exactly what it left behind', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const env = {
      SENTRY_DSN: sentry.dsn,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      TELEMETRY_EXPORTERS: 'sentry,otlp',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      EXIT_CODE: '3',
      AFTER_EXIT: '1',
    };
    // The default defers the exit to deliver: the line after process.exit() runs (the documented trade-off).
    const deferred = await runToExit(fixture, { env });
    expect(deferred.code).toBe(3);
    expect(deferred.stdout).toContain('AFTER EXIT');
    expect(collector.spans).toHaveLength(4);

    collector.reset();
    sentry.reset();
    const run = await runToExit(fixture, { env: { ...env, TELEMETRY_EXIT_FLUSH: 'false' } });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain('EXITING');
    expect(run.stdout).not.toContain('AFTER EXIT');
    expect(collector.spans).toHaveLength(0);
    expect(run.stderr).toContain(
      'otel-sentry-bridge: exiting with code 3: 8 spans not delivered (sentry: 4 received, 0 exported, 0 dropped, 4 pending;' +
        ' otlp: 4 received, 0 exported, 0 dropped, 4 pending),' +
        // The fixture's console.log('EXITING') is a log record of both backends, left behind as well.
        ' 2 log records not delivered (sentry-logs: 1 received, 0 exported, 0 dropped, 1 pending;' +
        ' otlp-logs: 1 received, 0 exported, 0 dropped, 1 pending), 1 Sentry event not delivered\n',
    );
  });

  it('says what is left behind when a second call exits before the flush is done', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    await collector.setFault({ mode: 'hang' });
    const run = await runToExit(fixture, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '60000', EXIT_TWICE: '1' },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /otel-sentry-bridge: exiting with code 0: 4 spans not delivered \(otlp: 4 received, 0 exported, 0 dropped, 4 pending\)/,
    );
  });
});

describe('signals and restarts', () => {
  it("delivers the spans when the app's own SIGTERM listener calls process.exit() at once", async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/own-sigterm-app.mjs', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '60000', EXIT_ON_SIGTERM: '1' },
    });
    for (let i = 0; i < 3; i++) expect((await request(`${app.url}/${i}`)).status).toBe(200);
    expect(await app.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(collector.spans.filter((s) => s.kindName === 'server')).toHaveLength(3);
  });

  it('exits on SIGTERM when the only other listener is signal-exit (a dependency, not the app)', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/signal-exit-app.mjs', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '60000' },
    });
    await request(`${app.url}/one`);
    const exit = await app.kill('SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(app.stdout()).toContain('signal-exit callback ran');
    expect(collector.spans.filter((s) => s.kindName === 'server')).toHaveLength(1);
  });

  it('exits on a second SIGTERM even when the app listens and does not exit', async () => {
    const app = await startApp('test/fixtures/own-sigterm-app.mjs', { env: { TELEMETRY_EXPORTERS: 'none' } });
    process.kill(app.pid, 'SIGTERM');
    await app.waitForLine(/app got SIGTERM/);
    process.kill(app.pid, 'SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
  });

  it('traces again after shutdown() and a second start()', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    const result = await runToExit('test/fixtures/restart-app.mjs', {
      importRegister: false,
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('first-run: flushed=true');
    expect(result.stdout).toContain('second-run: flushed=true');
    expect(collector.spans.map((s) => s.name).sort()).toEqual(['first-run', 'second-run']);
    expect(result.stderr).not.toMatch(/duplicate registration/i);
  });
});
