// 5,000 generated malformed traceparent/tracestate/sentry-trace/baggage sets (huge, non-ASCII, control
// characters, near-misses, repeated headers) over real HTTP to a server under the bootstrap whose header size
// limit is raised: every request is answered, the process never crashes, and no server span continues a trace
// from garbage. Valid headers mixed in show that the same server does continue a trace when it should.
import { randomBytes } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  keepAliveAgent,
  request,
  startApp,
  startOtlpReceiver,
  useKitCleanup,
  type ReceivedSpan,
} from '../kit/index.js';
import { malformedTraceHeaders, type MalformedHeaders } from '../generators/trace-headers.js';

useKitCleanup();

const MALFORMED = 5000;
const CONTROL_EVERY = 50;
const CONCURRENCY = 8;

/**
 * What can travel in an HTTP/1.1 header: the value's UTF-8 bytes (so non-ASCII arrives as non-ASCII bytes),
 * with the control characters Node's client refuses (everything below 0x20 but tab, and DEL) made spaces.
 */
function onTheWire(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0x20;
    if ((byte < 0x20 && byte !== 0x09) || byte === 0x7f) bytes[i] = 0x20;
  }
  return bytes.toString('latin1');
}

function wireHeaders(headers: MalformedHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers) as Array<[string, string | string[] | undefined]>) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.map(onTheWire) : onTheWire(value);
  }
  return out;
}

interface Case {
  headers: OutgoingHttpHeaders;
  /** For the valid controls: the parent span the server span must have. */
  parent?: { traceId: string; spanId: string };
}

function validControl(index: number): Case {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  const headers: OutgoingHttpHeaders =
    index % 2 === 0
      ? { traceparent: `00-${traceId}-${spanId}-01` }
      : { 'sentry-trace': `${traceId}-${spanId}-1`, baggage: 'sentry-sample_rand=0.5' };
  return { headers, parent: { traceId, spanId } };
}

describe('malformed trace headers over HTTP', () => {
  it(
    `${MALFORMED} generated header sets: all answered, no crash, no trace continued from garbage`,
    { timeout: 120_000 },
    async () => {
      const seed = Date.now();
      const generated = fc.sample(malformedTraceHeaders(), { numRuns: MALFORMED, seed });
      const cases: Case[] = [];
      generated.forEach((headers, i) => {
        if (i % CONTROL_EVERY === 0) cases.push(validControl(i / CONTROL_EVERY));
        cases.push({ headers: wireHeaders(headers) });
      });

      const collector = closeAfterTest(await startOtlpReceiver());
      const app = await startApp('test/fixtures/propagation-fuzz-app.mjs', {
        nodeArgs: ['--max-http-header-size=4194304'],
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          SENTRY_TRACES_SAMPLE_RATE: '1.0',
          OTEL_BSP_SCHEDULE_DELAY: '200',
          OTEL_BSP_MAX_QUEUE_SIZE: '20000',
        },
      });

      const agent = keepAliveAgent(CONCURRENCY);
      const answers: Array<{ status: number; traceId?: string; spanId?: string }> = [];
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < cases.length) {
          const index = next++;
          const res = await request(`${app.url}/fuzz/${index}`, {
            agent,
            headers: cases[index]?.headers,
            timeoutMs: 30_000,
          });
          answers[index] = { status: res.status, ...(res.json as { traceId?: string; spanId?: string }) };
        }
      };
      try {
        await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      } finally {
        agent.destroy();
      }
      const seedNote = `fast-check seed ${seed}`;
      expect(
        answers.filter((answer) => answer.status !== 200),
        seedNote,
      ).toEqual([]);
      // Still alive after all of it, and it shuts down cleanly, flushing every span.
      expect((await app.kill('SIGTERM')).code, `${seedNote}\n${app.stderr()}`).toBe(0);

      const byId = new Map<string, ReceivedSpan>(
        collector.spans.filter((s) => s.kindName === 'server').map((s) => [s.spanId, s]),
      );
      let roots = 0;
      let continued = 0;
      cases.forEach((testCase, index) => {
        const answer = answers[index];
        const span = answer?.spanId ? byId.get(answer.spanId) : undefined;
        // Built only on failure: the headers add up to hundreds of megabytes.
        const fail = (why: string): never => {
          throw new Error(`${why} (${seedNote}, case ${index}: ${JSON.stringify(testCase.headers).slice(0, 300)})`);
        };
        if (!span) return fail(`no server span for response ${JSON.stringify(answer)}`);
        if (span.traceId !== answer?.traceId) fail(`span ${span.traceId} differs from the answer`);
        if (testCase.parent) {
          if (span.traceId !== testCase.parent.traceId || span.parentSpanId !== testCase.parent.spanId)
            fail('valid parent not continued');
          continued++;
          return;
        }
        // A root of its own, on a trace id that appears nowhere in what was sent.
        if (span.parentSpanId !== undefined) fail(`server span has parent ${span.parentSpanId}`);
        const sent = Object.values(testCase.headers)
          .flat()
          .map((value) => String(value).toLowerCase());
        if (sent.some((value) => value.includes(span.traceId))) fail(`trace id ${span.traceId} taken from the headers`);
        roots++;
      });
      expect(roots).toBe(MALFORMED);
      expect(continued).toBe(MALFORMED / CONTROL_EVERY);
    },
  );
});
