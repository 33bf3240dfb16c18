/** One randomness for both ecosystems: OTel's R >= T(p) and Sentry's sample_rand < p agree, at the boundary too. */
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { createComposableProbabilitySampler, createCompositeSampler } from '@opentelemetry/sampler-composite';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  randomValueFromSampleRand,
  randomValueFromTraceId,
  sampleRandFromRandomValue,
  sampleRandFromTraceId,
  thresholdForRate,
} from '../../../src/telemetry/sampling/sample-rand.js';
import { createSampler } from '../../../src/telemetry/sampling/sampler.js';
import { makeConfig } from './sampling-harness.js';

function traceIdWith(randomValue: bigint): string {
  return `0123456789abcdef01${randomValue.toString(16).padStart(14, '0')}`;
}

function otelKeeps(rate: number, traceId: string): boolean {
  const sampler = createCompositeSampler(createComposableProbabilitySampler(rate));
  return (
    sampler.shouldSample(ROOT_CONTEXT, traceId, 'x', SpanKind.INTERNAL, {}, []).decision ===
    SamplingDecision.RECORD_AND_SAMPLED
  );
}

function oursKeeps(rate: number, traceId: string): boolean {
  const sampler = createSampler(makeConfig({ sampling: { tracesSampleRate: rate } }));
  return (
    sampler.shouldSample(ROOT_CONTEXT, traceId, 'x', SpanKind.INTERNAL, {}, []).decision ===
    SamplingDecision.RECORD_AND_SAMPLED
  );
}

const RATES = [0.25, 0.3, 0.1, 0.5, 0.999, 1e-9, 0.7071067811865476, 1 / 3];

describe('sample_rand derived from the trace id', () => {
  it('builds trace ids whose low 56 bits are the requested random value', () => {
    expect(traceIdWith(0x00000000000abcn).slice(-14)).toBe('00000000000abc');
    expect(traceIdWith(0x00000000000abcn)).toHaveLength(32);
  });

  it.each(RATES)('R = T-1 is dropped and R = T kept by both rules at rate %s', (rate) => {
    const threshold = thresholdForRate(rate);
    const below = traceIdWith(threshold - 1n);
    const at = traceIdWith(threshold);
    expect(sampleRandFromRandomValue(threshold - 1n) < rate).toBe(false);
    expect(sampleRandFromRandomValue(threshold) < rate).toBe(true);
    expect([otelKeeps(rate, below), oursKeeps(rate, below)]).toEqual([false, false]);
    expect([otelKeeps(rate, at), oursKeeps(rate, at)]).toEqual([true, true]);
  });

  it('keeps sample_rand in [0, 1) at the extremes of R', () => {
    const max = (1n << 56n) - 1n;
    for (const value of [0n, 1n, max - 1n, max]) {
      const rand = sampleRandFromRandomValue(value);
      expect(rand).toBeGreaterThanOrEqual(0);
      expect(rand).toBeLessThan(1);
    }
    expect(sampleRandFromRandomValue(max)).toBeLessThan(sampleRandFromRandomValue(0n));
  });

  it('reads sample_rand from a trace id in doubles exactly as through the BigInt R (property)', () => {
    const max = (1n << 56n) - 1n;
    // The extremes, each power of two around the 2^53 rounding limit, and a rounding tie of the numerator.
    const edges = [
      0n,
      1n,
      2n,
      max,
      max - 1n,
      (1n << 55n) - 1n,
      1n << 55n,
      (1n << 55n) + 1n,
      0x0fffffff_fffffffn & max,
      1n << 28n,
      (1n << 28n) - 1n,
    ];
    for (let bit = 0n; bit < 56n; bit++) edges.push(1n << bit, (1n << bit) - 1n, max - (1n << bit));
    for (const value of edges) {
      const traceId = traceIdWith(value);
      expect(sampleRandFromTraceId(traceId)).toBe(sampleRandFromRandomValue(value));
      expect(sampleRandFromTraceId(traceId.toUpperCase())).toBe(sampleRandFromRandomValue(value));
    }
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max }), (value) => {
        const traceId = traceIdWith(value);
        expect(sampleRandFromTraceId(traceId)).toBe(sampleRandFromRandomValue(randomValueFromTraceId(traceId)));
      }),
      { numRuns: 20_000 },
    );
  });

  it('agrees with sampler-composite for arbitrary R and rates (property)', () => {
    const randomValue = fc.bigInt({ min: 0n, max: (1n << 56n) - 1n });
    const rate = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(randomValue, rate, (r, p) => {
        const traceId = traceIdWith(r);
        const sentryKeeps = sampleRandFromRandomValue(r) < p;
        expect(sentryKeeps).toBe(otelKeeps(p, traceId));
        expect(oursKeeps(p, traceId)).toBe(sentryKeeps);
      }),
      { numRuns: 2000 },
    );
  });

  it('maps an upstream sample_rand back to an rv that OTel decides on alike', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.constantFrom(...RATES),
        (rand, p) => {
          const rv = randomValueFromSampleRand(rand);
          expect(rv >= thresholdForRate(p)).toBe(rand < p);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('writes ot=rv and th into the tracestate of a kept root, with no internal entry', () => {
    const sampler = createSampler(makeConfig({ sampling: { tracesSampleRate: 0.25 } }));
    const traceId = traceIdWith(thresholdForRate(0.25));
    const result = sampler.shouldSample(ROOT_CONTEXT, traceId, 'x', SpanKind.INTERNAL, {}, []);
    expect(result.traceState?.serialize()).toBe(`ot=th:c;rv:${traceId.slice(-14)}`);
    expect(result.attributes).toEqual({ 'sentry.sample_rate': 0.25 });
    const dropped = sampler.shouldSample(ROOT_CONTEXT, traceIdWith(0n), 'x', SpanKind.INTERNAL, {}, []);
    expect(dropped.traceState?.serialize()).toBe('ot=rv:00000000000000');
    expect(dropped.decision).toBe(SamplingDecision.NOT_RECORD);
  });

  it('lets local children follow the decision of their parent', () => {
    const sampler = createSampler(makeConfig({ sampling: { tracesSampleRate: 0 } }));
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: traceIdWith(5n),
      spanId: '0102030405060708',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: false,
    });
    expect(sampler.shouldSample(parent, traceIdWith(5n), 'child', SpanKind.INTERNAL, {}, []).decision).toBe(
      SamplingDecision.RECORD_AND_SAMPLED,
    );
  });
});
