// Forged Sentry baggage from outside, over the real wire: a service under the bootstrap receives it, captures an
// error, and the envelope's `trace` header (what Sentry's ingestion reads for the trace's DSC) carries none of
// the forged values; the DSC is dropped as a whole, so nothing of it goes downstream either.
import { randomBytes } from 'node:crypto';
import type { Event } from '@sentry/core';
import { describe, expect, it } from 'vitest';
import { closeAfterTest, request, startApp, startFakeSentry, useKitCleanup, type FakeSentry } from '../kit/index.js';

useKitCleanup();

const FORGED_KEY = 'ffffffffffffffffffffffffffffffff';

async function errorEnvelopeTrace(
  headers: Record<string, string>,
): Promise<{ trace: unknown; event: Event; sentry: FakeSentry }> {
  const sentry = closeAfterTest(await startFakeSentry());
  const app = await startApp('test/fixtures/sampling-bridge-app.mjs', {
    env: { SENTRY_DSN: sentry.dsn, SENTRY_TRACES_SAMPLE_RATE: '1.0', OTEL_BSP_SCHEDULE_DELAY: '100' },
  });
  const res = await request(`${app.url}/relay?capture=1`, { headers });
  expect(res.status, res.text).toBe(200);
  expect((await app.kill('SIGTERM')).code, app.stderr()).toBe(0);
  const event = sentry.events.find((item) => item.exception?.values?.[0]?.value === 'bridge service failure');
  expect(event, 'the captured error at the fake Sentry').toBeDefined();
  const envelope = sentry.envelopes.find((item) =>
    item.items.some((entry) => (entry.payload as Event | undefined)?.event_id === event?.event_id),
  );
  return { trace: envelope?.headers['trace'], event: event as Event, sentry };
}

describe('forged Sentry baggage never reaches Sentry', () => {
  it('a sample_rate of -1 and a foreign public key in a sentry-trace request: the DSC is dropped whole', async () => {
    const traceId = randomBytes(16).toString('hex');
    const baggage = [
      'sentry-environment=attacker',
      `sentry-public_key=${FORGED_KEY}`,
      `sentry-trace_id=${traceId}`,
      'sentry-sample_rate=-1',
      'sentry-sample_rand=0.5',
      'sentry-sampled=true',
    ].join(',');
    const { trace, event } = await errorEnvelopeTrace({
      'sentry-trace': `${traceId}-${randomBytes(8).toString('hex')}-1`,
      baggage,
    });
    // The trace is continued (the error is on it) with the frozen DSC @sentry/core keeps for a Sentry parent that
    // sent none: only sample_rand, drawn here.
    expect(event.contexts?.trace?.trace_id).toBe(traceId);
    expect(trace).toEqual({ sample_rand: expect.stringMatching(/^(0\.\d+|\d(\.\d+)?e-\d+)$/) });
    expect((trace as Record<string, string>).sample_rand).not.toBe('0.5');
  });

  it('a foreign public key alone, on a W3C request: the layer heads the DSC with its own key', async () => {
    const traceId = randomBytes(16).toString('hex');
    const baggage = `sentry-environment=production,sentry-public_key=${FORGED_KEY},sentry-trace_id=${traceId},sentry-sampled=true,sentry-sample_rand=0.25`;
    const { trace, event, sentry } = await errorEnvelopeTrace({
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
      baggage,
    });
    expect(event.contexts?.trace?.trace_id).toBe(traceId);
    expect(trace).toMatchObject({
      environment: 'production',
      public_key: sentry.publicKey,
      trace_id: traceId,
      sampled: 'true',
    });
    expect((trace as Record<string, string>).sample_rand).not.toBe('0.25');
    expect(JSON.stringify(trace)).not.toContain(FORGED_KEY);
  });
});
