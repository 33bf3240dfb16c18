// The layer's own contained failures leave a trace (internal-errors.ts): a tracesSampler that throws on every
// request costs no request and no span, is counted per failure in stats().internalErrors, and is logged once.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, request, startApp, startOtlpReceiver, useKitCleanup } from '../kit/index.js';

useKitCleanup();

interface StatsAnswer {
  exporters: Record<string, unknown>;
  internalErrors: { total: number; bySite: Record<string, number> };
}

describe('a throwing tracesSampler', () => {
  it('falls back to the rate, counts every failure and writes one diag line', async () => {
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/reliability-app.mjs', {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        TELEMETRY_EXPORTERS: 'otlp',
        TELEMETRY_CONFIG: 'test/fixtures/config/throwing-sampler.config.mjs',
        SENTRY_TRACES_SAMPLE_RATE: '1',
        TELEMETRY_IGNORE_PATHS: '/__stats',
        OTEL_LOG_LEVEL: 'debug',
        OTEL_BSP_SCHEDULE_DELAY: '50',
      },
    });
    const requests = 5;
    for (let i = 0; i < requests; i++) expect((await request(`${app.url}/ok/${i}`)).status).toBe(200);
    // Sampled at the rate: every request's server span arrives.
    await collector.waitForSpans((span) => span.kindName === 'server', undefined, requests);
    const stats = (await request(`${app.url}/__stats?flush=2000`)).json as StatsAnswer;
    const failures = stats.internalErrors.bySite['sampling.tracesSampler'] ?? 0;
    // One decision per root span (the stats route is ignored: it never reaches the sampler).
    const roots = collector.spans.filter((span) => span.parentSpanId === undefined);
    expect(roots.length).toBeGreaterThanOrEqual(requests);
    expect(failures).toBe(roots.length);
    expect(stats.internalErrors.total).toBe(failures);
    const output = `${app.stdout()}${app.stderr()}`;
    expect(output.match(/sampling\.tracesSampler failed/g)).toHaveLength(1);
    expect(output).toContain('Error: sampler bug');
  });
});
