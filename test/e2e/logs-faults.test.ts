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
      // At most a full queue and the batch being sent are held, whatever the storm.
      expect(s.pending).toBeLessThanOrEqual(500 + 100);
      expect(s.dropped).toBeGreaterThanOrEqual(n - 600);
    }

    const exit = await app.kill('SIGTERM');
    expect(exit.code).toBe(1);
    const stderr = app.stderr();
    for (const name of ['otlp-logs', 'sentry-logs']) {
      const warnings = stderr.split('\n').filter((line) => line.includes(`exporter "${name}" failed`));
      expect(warnings, stderr).toHaveLength(1);
      expect(warnings[0]).toMatch(/log record\(s\) dropped/);
      // The shutdown line gives the final counts: nothing left pending, everything exported or dropped.
      const counts = new RegExp(`${name}: (\\d+) received, (\\d+) exported, (\\d+) dropped`).exec(stderr);
      expect(counts, stderr).not.toBeNull();
      const [received, exported, dropped] = counts!.slice(1).map(Number);
      expect(received).toBe(exported! + dropped!);
      expect(received).toBeGreaterThanOrEqual(n);
    }
  });

  it('drops a storm over TELEMETRY_LOGS_RATE_LIMIT at the door, counted, and says so', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const otlp = closeAfterTest(await startOtlpReceiver());
    const app = await startApp(APP, {
      env: { SENTRY_DSN: sentry.dsn, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, TELEMETRY_LOGS_RATE_LIMIT: '1000', OTEL_BLRP_SCHEDULE_DELAY: '50' },
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
    expect(app.stderr()).toMatch(/exporter "otlp-logs" failed \(over the rate limit of 1000 records\/s \(TELEMETRY_LOGS_RATE_LIMIT\)\); \d+ log record\(s\) dropped/);
    // The first second's worth went out, each line once; the rest of the storm did not.
    const storm = otlp.logs.filter((r) => String(r.body).startsWith('storm line'));
    expect(storm.length).toBeLessThan(n);
    const first = storm.map((r) => lineNumber(r.body)).filter((i) => i < 1000);
    expect(first.sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    await app.kill();
  });
});
