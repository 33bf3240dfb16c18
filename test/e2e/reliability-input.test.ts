// Bad input: generated malformed trace headers through extract() and over HTTP, invalid bodies for every
// endpoint of the support service, and huge or circular objects handed to the monitoring API and to span
// attributes. Never a crash, never unbounded memory, attribute limits applied.
import type { OutgoingHttpHeaders } from 'node:http';
import { ROOT_CONTEXT, defaultTextMapGetter, trace } from '@opentelemetry/api';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/telemetry/config/index.js';
import { createPropagator } from '../../src/telemetry/propagation/propagator.js';
import { malformedTraceHeaders, type MalformedHeaders } from '../generators/trace-headers.js';
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

const CASES = 10_000;
const MiB = 2 ** 20;

/** What HTTP/1.1 can carry: UTF-8 bytes as latin1 (invalid UTF-8 on the wire), controls Node refuses as spaces. */
function onTheWire(value: string): string {
  const latin1 = Buffer.from(value, 'utf8').toString('latin1');
  let out = '';
  for (const char of latin1) {
    const code = char.charCodeAt(0);
    out += (code < 0x20 && code !== 0x09) || code === 0x7f ? ' ' : char;
  }
  return out;
}

function wireHeaders(headers: MalformedHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers) as Array<[string, string | string[] | undefined]>) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(onTheWire) : onTheWire(value);
  }
  return out;
}

async function rss(url: string): Promise<number> {
  return Number((await request(`${url}/__rss`)).text);
}

async function heap(url: string): Promise<number> {
  return Number((await request(`${url}/__heap`)).text);
}

describe('malformed trace headers', () => {
  it(`${CASES} generated sets through extract(): no throw, no trace continued`, async () => {
    const propagator = createPropagator(await loadConfig({ env: {} }));
    let count = 0;
    fc.assert(
      fc.property(malformedTraceHeaders(), (headers) => {
        count++;
        const context = propagator.extract(
          ROOT_CONTEXT,
          headers as Record<string, string | string[]>,
          defaultTextMapGetter,
        );
        expect(trace.getSpanContext(context)).toBeUndefined();
      }),
      { numRuns: CASES },
    );
    expect(count).toBe(CASES);
  });

  it(
    `${CASES} generated sets over HTTP (raised header limit): all answered, memory bounded`,
    { timeout: 240_000 },
    async () => {
      const sentry = closeAfterTest(await startFakeSentry());
      const collector = closeAfterTest(await startOtlpReceiver());
      const app = await startApp('test/fixtures/reliability-input-app.mjs', {
        nodeArgs: ['--max-http-header-size=4194304', '--expose-gc'],
        env: {
          SENTRY_DSN: sentry.dsn,
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          SENTRY_ENVIRONMENT: 'staging',
          TELEMETRY_IGNORE_PATHS: '/__rss,/__heap',
        },
      });
      const seed = Date.now();
      const before = await rss(app.url);
      const heapBefore = await heap(app.url);
      const statuses: Record<number, number> = {};
      // Generated a batch at a time: one generated set can carry tens of MiB of baggage, and 10,000 of them held
      // at once exhausted the test runner's own heap.
      const BATCH = 200;
      for (let start = 0; start < CASES; start += BATCH) {
        const cases = fc.sample(malformedTraceHeaders(), { numRuns: BATCH, seed: seed + start }).map(wireHeaders);
        // One agent per batch: generating a batch can take longer than the server's 5 s keep-alive timeout on a
        // loaded machine, and a request sent on a socket the server is closing fails with "socket hang up".
        const agent = keepAliveAgent(8);
        let next = 0;
        await Promise.all(
          Array.from({ length: 8 }, async () => {
            while (next < cases.length) {
              const i = next++;
              const res = await request(`${app.url}/ok/${start + i}`, { agent, headers: cases[i], timeoutMs: 30_000 });
              statuses[res.status] = (statuses[res.status] ?? 0) + 1;
            }
          }),
        );
        agent.destroy();
      }
      const after = await rss(app.url);
      expect(statuses).toEqual({ 200: CASES });
      // Bounded: the headers sent add up to hundreds of MiB (4 MiB allowed per request); the process keeps none of
      // them. RSS is reported; the check reads the heap still in use after a full collection.
      expect(await heap(app.url)).toBeLessThan(heapBefore + 100 * MiB);
      await collector.waitForSpans((s) => s.kindName === 'server', 20_000, CASES);
      expect((await app.kill('SIGTERM')).code).toBe(0);
      console.log(
        `FIGURES headers over HTTP (seed ${seed}): ${JSON.stringify({ served: CASES, statuses, rssMiB: { before: Math.round(before / MiB), after: Math.round(after / MiB) } })}`,
      );
    },
  );
});

describe('huge and circular objects to the monitoring API and span attributes', () => {
  it('never crash, memory stays bounded, events and spans stay within limits', { timeout: 180_000 }, async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const app = await startApp('test/fixtures/reliability-input-app.mjs', {
      nodeArgs: ['--expose-gc'],
      env: {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        SENTRY_ENVIRONMENT: 'staging',
        TELEMETRY_IGNORE_PATHS: '/__rss,/__heap',
        OTEL_BSP_SCHEDULE_DELAY: '100',
      },
    });
    const before = await rss(app.url);
    const ROUNDS = 100;
    let middle = 0;
    let heapMiddle = 0;
    for (let i = 0; i < ROUNDS; i++) {
      expect((await request(`${app.url}/abuse`, { timeoutMs: 30_000 })).status).toBe(200);
      if (i === ROUNDS / 2 - 1) {
        middle = await rss(app.url);
        heapMiddle = await heap(app.url);
      }
    }
    const after = await rss(app.url);
    const heapAfter = await heap(app.url);
    const spans = await collector.waitForSpans((s) => s.name === 'abuse span', 30_000, ROUNDS);
    // Identical consecutive errors are one event (Sentry's dedupe integration): at least the first arrives whole.
    const events = await sentry.waitForEvents(
      (e) => (e.exception?.values?.[0]?.value ?? '').startsWith('abuse: '),
      30_000,
      1,
    );
    // Each round allocates ~100 MiB of attribute text. RSS depends on when V8 returns pages to the system, so the
    // leak check reads the heap still in use after a full collection: the second half of the rounds must not
    // leave more behind (a leak would keep ~100 MiB per round).
    expect(heapAfter - heapMiddle).toBeLessThan(100 * MiB);
    for (const span of spans) {
      expect(Object.keys(span.attributes).length).toBeLessThanOrEqual(128);
      for (const value of Object.values(span.attributes)) {
        if (typeof value === 'string') expect(value.length).toBeLessThanOrEqual(4096);
      }
    }
    const biggestEvent = Math.max(...events.map((e) => JSON.stringify(e).length));
    // Each event holds several 1 MiB strings in the raw; scrubbing keeps at most 1 M characters per field.
    expect(biggestEvent).toBeLessThan(8 * MiB);
    expect((await app.kill('SIGTERM')).code).toBe(0);
    console.log(
      `FIGURES abuse: ${JSON.stringify({ rounds: ROUNDS, spans: spans.length, events: events.length, maxAttributes: Math.max(...spans.map((s) => Object.keys(s.attributes).length)), biggestEventBytes: biggestEvent, rssMiB: { before: Math.round(before / MiB), middle: Math.round(middle / MiB), after: Math.round(after / MiB) }, heapAfterGcMiB: { middle: Math.round(heapMiddle / MiB), after: Math.round(heapAfter / MiB) } })}`,
    );
  });
});
