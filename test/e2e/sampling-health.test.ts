// Health checks at rate 1.0: zero spans and zero Sentry events, even when the handler captures, throws into the
// error middleware, calls dependencies or opens a span of its own, and even when the probe arrives with a
// sampled traceparent. A look-alike route (`/api/healthy-stats`) is traced and reported as usual.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Event } from '@sentry/core';
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

useKitCleanup();

async function startDependency(): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.end('up');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const PROBES = [
  '/api/health',
  '/healthz',
  '/livez',
  '/readyz',
  '/health',
  '/health/',
  '/healthz?verbose=1',
  '/api/health?probe=k8s',
];
const textOf = (event: Event): string | undefined => event.exception?.values?.[0]?.value ?? event.message;

describe('health routes at rate 1.0', () => {
  it('produce no span and no event; a look-alike route produces both', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const dependency = closeAfterTest(await startDependency());
    const app = await startApp('test/fixtures/sampling-health-app.mjs', {
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        TELEMETRY_EXPORTERS: 'sentry,otlp',
        SENTRY_TRACES_SAMPLE_RATE: '1.0',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        DOWNSTREAM_URL: dependency.url,
      },
    });
    const agent = keepAliveAgent(4);
    const sampledParent = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };
    let probes = 0;
    for (let round = 0; round < 5; round++) {
      for (const path of PROBES) {
        const res = await request(`${app.url}${path}`, { agent, ...(round % 2 ? { headers: sampledParent } : {}) });
        expect([200, 500]).toContain(res.status);
        probes++;
      }
    }
    const control = await request(`${app.url}/api/healthy-stats`, { agent });
    expect(control.status).toBe(500);
    agent.destroy();
    // The probes did reach their dependencies: the handlers ran in full.
    expect(dependency.hits()).toBeGreaterThan(0);
    expect((await app.kill('SIGTERM')).code, app.stderr()).toBe(0);

    // Everything is flushed: the only trace anywhere is the look-alike's (server, handler span, two clients).
    for (const spans of [collector.spans, sentry.spans]) {
      const traceIds = new Set(spans.map((span) => span.traceId));
      expect(
        traceIds.size,
        spans
          .map((s) => `${s.kindName} ${s.name} ${String(s.attributes['url.full'] ?? s.attributes['url.path'] ?? '')}`)
          .join('\n'),
      ).toBe(1);
      const server = spans.find((span) => span.kindName === 'server');
      expect(server?.attributes['url.path']).toBe('/api/healthy-stats');
      expect(spans.some((span) => String(span.attributes['url.full'] ?? '').includes('from=healthy-stats'))).toBe(true);
      expect(
        spans.filter((span) => /from=(api-health|healthz|readyz)/.test(String(span.attributes['url.full'] ?? ''))),
      ).toEqual([]);
    }
    expect(sentry.events.map(textOf)).toEqual(['thrown in /api/healthy-stats']);
    expect(probes).toBe(PROBES.length * 5);
  });
});
