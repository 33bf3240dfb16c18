// The layer's own endpoints are never traced by address, not only through context suppression: an app request
// to the Sentry host (or the OTLP traces URL) makes no client span, over fetch, http.request and named imports.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, request, startApp, startFakeSentry, startOtlpReceiver, useKitCleanup } from '../kit/index.js';

useKitCleanup();

describe("requests to the layer's own endpoints", () => {
  it('make no client span whoever sends them', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/express-app.mjs', {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        TELEMETRY_EXPORTERS: 'otlp',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        // The fixture's downstream calls go to the Sentry host: fetch, http.request and a named request import.
        DOWNSTREAM_URL: sentry.url,
      },
    });
    expect((await request(`${app.url}/api/tickets/7`)).status).toBe(200);
    const [server] = await collector.waitForSpans((s) => s.kindName === 'server' && s.name === 'GET /api/tickets/:id');
    expect(sentry.requests.filter((r) => r.endpoint === 'other')).toHaveLength(3);
    // A later export proves the earlier one's spans all arrived.
    expect((await request(`${app.url}/api/tickets/8?calls=0`)).status).toBe(200);
    await collector.waitForSpans((s) => s.kindName === 'server' && s.traceId !== server!.traceId);
    expect(
      collector.spans
        .filter((s) => s.traceId === server!.traceId)
        .map((s) => s.kindName)
        .sort(),
    ).toEqual(['internal', 'server']);
    expect(collector.spans.filter((s) => s.kindName === 'client')).toEqual([]);
  });
});
