// Span-export failures over the real wire: spans pending at shutdown that a backend refuses are not delivered,
// and the shutdown says so.
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  keepAliveAgent,
  request,
  runToExit,
  startApp,
  startOtlpReceiver,
  useKitCleanup,
  type AppProcess,
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
  await Promise.all(Array.from({ length: count }, (_, i) => request(`${app.url}/ok/${tag}-${i}`, { agent, timeoutMs: 10_000 })));
  agent.destroy();
}

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
          TELEMETRY_IGNORE_PATHS: '/__stats',
          // The batch waits for the signal: every span is pending at shutdown.
          OTEL_BSP_SCHEDULE_DELAY: '60000',
          OTEL_EXPORTER_OTLP_TIMEOUT: '500',
        },
      });
      await load(app, 'pending', 10);
      expect((await stats(app)).exporters['otlp']).toEqual({ received: 10, exported: 0, dropped: 0, pending: 10 });
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
