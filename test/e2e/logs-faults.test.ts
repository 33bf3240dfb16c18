// Log storms and dead backends: memory stays bounded by the queue, every record is counted (received =
// exported + dropped + pending), each pipeline warns once a minute naming the cause, and the rate limit drops
// a storm at the door.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, request, startApp, startFakeSentry, startOtlpReceiver, useKitCleanup } from '../kit/index.js';

useKitCleanup();

interface Stats {
  received: number;
  exported: number;
  dropped: number;
  pending: number;
}

const APP = 'test/fixtures/logs-app.mjs';

describe('logs under faults', () => {
  it('with both backends down: bounded queues, every record counted, one warning per pipeline', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const otlp = closeAfterTest(await startOtlpReceiver());
    await sentry.setFault({ mode: 'down' });
    await otlp.setFault({ mode: 'down' });
    const app = await startApp(APP, {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_BLRP_MAX_QUEUE_SIZE: '500',
        OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '100',
        OTEL_BLRP_SCHEDULE_DELAY: '50',
        TELEMETRY_LOGS_RATE_LIMIT: '1000000',
        TELEMETRY_SHUTDOWN_TIMEOUT_MS: '2000',
        // Refused connections are retried within the export's time: short, so the first answer names the cause.
        OTEL_EXPORTER_OTLP_TIMEOUT: '500',
      },
    });
    const n = 20_000;
    expect((await request(`${app.url}/api/storm?n=${n}`)).status).toBe(200);
    const stats = (await request(`${app.url}/api/stats`)).json as Record<string, Stats>;
    for (const name of ['otlp-logs', 'sentry-logs']) {
      const s = stats[name]!;
      expect(s.received).toBeGreaterThanOrEqual(n);
      expect(s.exported).toBe(0);
      expect(s.received).toBe(s.exported + s.dropped + s.pending);
      // At most a full queue and the four batches being sent are held, whatever the storm.
      expect(s.pending).toBeLessThanOrEqual(500 + 4 * 100);
      expect(s.dropped).toBeGreaterThanOrEqual(n - 900);
    }

    // The held-back queue-full warning comes with the first failed export's answer.
    await app.waitForLine(/exporter "otlp-logs" failed/, 10_000);
    await app.waitForLine(/exporter "sentry-logs" failed/, 10_000);
    // After the first failed answers, still every record counted.
    const settled = (await request(`${app.url}/api/stats`)).json as Record<string, Stats>;
    for (const name of ['otlp-logs', 'sentry-logs']) {
      const s = settled[name]!;
      expect(s.received).toBeGreaterThanOrEqual(n);
      expect(s.received).toBe(s.exported + s.dropped + s.pending);
    }
    const exit = await app.kill('SIGTERM');
    expect(exit.code).toBe(1);
    const stderr = app.stderr();
    for (const name of ['otlp-logs', 'sentry-logs']) {
      const warnings = stderr.split('\n').filter((line) => line.includes(`exporter "${name}" failed`));
      expect(warnings, stderr).toHaveLength(1);
      expect(warnings[0]).toMatch(/log record\(s\) dropped/);
      // The warning names what filled the queue, not only that it was full.
      expect(warnings[0]).toMatch(/failed \((connection refused \()?connect ECONNREFUSED 127\.0\.0\.1:\d+\)?\)/);
    }
    // And what the process lost over its life, records apart from spans, with the last cause.
    expect(stderr).toMatch(
      /lost over the process's life: .*otlp-logs \d+ log records \(last cause: connection refused \(connect ECONNREFUSED/,
    );
    expect(stderr).toMatch(/lost over the process's life: .*sentry-logs \d+ log records \(last cause: /);
  });

  it('a crash inside a request flushes its log line with the spans, on its trace, and counts it in the exit line', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const otlp = closeAfterTest(await startOtlpReceiver());
    const app = await startApp(APP, {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        SENTRY_TRACES_SAMPLE_RATE: '1',
        // Nothing leaves before the crash: the exit flush sends it all, and its line counts it.
        OTEL_BSP_SCHEDULE_DELAY: '60000',
        OTEL_BLRP_SCHEDULE_DELAY: '60000',
      },
    });
    const cut = request(`${app.url}/api/crash`).then(
      () => 'answered',
      () => 'cut',
    );
    expect(await app.exited).toEqual({ code: 1, signal: null });
    expect(await cut).toBe('cut');
    // The start-up line and the request's error line, to each log pipeline; one Sentry event (the crash).
    expect(app.stderr()).toMatch(
      /uncaught exception: logs-app: crash in a request; flushed \d+ spans to sentry, \d+ to otlp, 2 log records to sentry-logs, 2 to otlp-logs and 1 Sentry event\n/,
    );
    const [server] = otlp.spans.filter((s) => s.kindName === 'server');
    expect(server?.status.code).toBe(2);
    const [atCollector] = await otlp.waitForLogs((r) => r.body === 'about to crash');
    const [atSentry] = await sentry.waitForLogs((r) => r.body === 'about to crash');
    expect(atCollector!.traceId).toBe(server!.traceId);
    expect(atCollector!.severityText).toBe('ERROR');
    expect(atSentry!.trace_id).toBe(server!.traceId);
    expect(atSentry!.level).toBe('error');
  });

  it('drops a storm over TELEMETRY_LOGS_RATE_LIMIT at the door, counted, and says so', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const otlp = closeAfterTest(await startOtlpReceiver());
    const app = await startApp(APP, {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        TELEMETRY_LOGS_RATE_LIMIT: '1000',
        OTEL_BLRP_SCHEDULE_DELAY: '50',
      },
    });
    const n = 20_000;
    await request(`${app.url}/api/storm?n=${n}`);
    // The first second's worth passes the limiter; up to four exports run at once, so batches may arrive in any order.
    const lineNumber = (body: unknown): number => Number(/^storm line (\d+)$/.exec(String(body))?.[1] ?? Number.NaN);
    await otlp.waitForLogs((r) => lineNumber(r.body) < 1000, 10_000, 1000);
    const stats = (await request(`${app.url}/api/stats`)).json as Record<string, Stats>;
    const s = stats['otlp-logs']!;
    expect(s.dropped).toBeGreaterThan(0);
    expect(s.received).toBe(s.exported + s.dropped + s.pending);
    expect(app.stderr()).toMatch(
      /exporter "otlp-logs" failed \(over the rate limit of 1000 records\/s \(TELEMETRY_LOGS_RATE_LIMIT\)\); \d+ log record\(s\) dropped/,
    );
    // The first second's worth went out, each line once; the rest of the storm did not.
    const storm = otlp.logs.filter((r) => String(r.body).startsWith('storm line'));
    expect(storm.length).toBeLessThan(n);
    const first = storm.map((r) => lineNumber(r.body)).filter((i) => i < 1000);
    expect(first.sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    await app.kill();
  });

  it('a storm the rate limit refuses during a SIGTERM is not a delivery failure: exit 0, the rest delivered', async () => {
    const otlp = closeAfterTest(await startOtlpReceiver());
    const app = await startApp(APP, {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, TELEMETRY_LOGS_RATE_LIMIT: '1000', OTEL_BLRP_SCHEDULE_DELAY: '50' },
    });
    const n = 5000;
    // In flight when the signal comes: the drain waits for it, so its storm lands inside the shutdown.
    const answer = request(`${app.url}/api/storm-later?n=${n}&ms=300`);
    await app.waitForLine(/STORM SCHEDULED/);
    const exit = await app.kill('SIGTERM');
    expect((await answer).status).toBe(200);
    const stderr = app.stderr();
    expect(exit.code, stderr).toBe(0);
    expect(stderr).not.toMatch(/not delivered/);
    // What the limit let through went out; the rest was refused, and the life's report still names it.
    const late = otlp.logs.filter((r) => String(r.body).startsWith('late storm line'));
    expect(late.length).toBeGreaterThan(0);
    expect(late.length).toBeLessThan(n);
    expect(stderr).toMatch(
      /lost over the process's life: .*otlp-logs \d+ log records \(last cause: over the rate limit/,
    );
  });
});
