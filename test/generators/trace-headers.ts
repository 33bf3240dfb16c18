/**
 * Property-based generators of malformed trace headers (fast-check): huge, non-ASCII, control characters,
 * near-misses of valid values, repeated headers. Shared by the propagation fuzz tests and the reliability suite.
 */
import * as fc from 'fast-check';

const HEX = '0123456789abcdef';
export const hexString = (length: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...HEX), minLength: length, maxLength: length });

/** Text no parser should accept as a trace header: arbitrary Unicode, control characters, separators. */
const junk = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({
    unit: fc.constantFrom('-', ',', ';', '=', ' ', '\t', '%', '\u0000', '\u00ff', 'ü', '💥', 'F', '0'),
    maxLength: 80,
  }),
  fc.integer({ min: 9_000, max: 70_000 }).map((size) => 'a'.repeat(size)),
);

/** A near-miss of a valid `traceparent`: right shape with one field wrong (case, length, zeros, version ff). */
const nearMissTraceparent = fc.oneof(
  fc
    .tuple(hexString(32), hexString(16))
    .map(([t, s]) => `00-${t.toUpperCase()}-${s}-01`.replace(/^00-([0-9]*)-/, '00-A$1-')),
  fc.tuple(hexString(31), hexString(16)).map(([t, s]) => `00-${t}-${s}-01`),
  hexString(16).map((s) => `00-${'0'.repeat(32)}-${s}-01`),
  fc.tuple(hexString(32)).map(([t]) => `00-${t}-${'0'.repeat(16)}-01`),
  fc.tuple(hexString(32), hexString(16)).map(([t, s]) => `ff-${t}-${s}-01`),
  fc.tuple(hexString(32), hexString(16), junk).map(([t, s, j]) => `00-${t}-${s}-01-${j}`),
  fc.tuple(hexString(32), hexString(16)).map(([t, s]) => `00_${t}_${s}_01`),
  fc.tuple(hexString(32), hexString(16)).map(([t, s]) => `00-${t}-${s}-0g`),
);

/** A near-miss of `sentry-trace`: uppercase, short ids, zero ids, bad flags, extra parts. */
const nearMissSentryTrace = fc.oneof(
  fc.tuple(hexString(32), hexString(16)).map(([t, s]) => `${t.toUpperCase().replace(/^[0-9]*/, 'A')}-${s}-1`),
  fc.tuple(hexString(30), hexString(16)).map(([t, s]) => `${t}-${s}-1`),
  fc.tuple(hexString(32)).map(([t]) => `${t}`),
  fc.tuple(hexString(32)).map(([t]) => `${t}-${'0'.repeat(16)}-1`),
  fc.tuple(hexString(16)).map(([s]) => `${'0'.repeat(32)}-${s}-1`),
  fc.tuple(hexString(32), hexString(16)).map(([t, s]) => `${t}-${s}-2`),
  fc.tuple(hexString(32), hexString(16), junk).map(([t, s, j]) => `${t}-${s}-1${j}x`),
);

const garbageBaggage = fc.oneof(
  junk,
  fc.array(fc.tuple(junk, junk), { maxLength: 300 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join(',')),
  fc.constant('sentry-trace_id=%E0%A4%A,sentry-sample_rand=%%%,=,,,=x'),
  fc.integer({ min: 200, max: 2_000 }).map((n) => Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(',')),
);

const garbageTracestate = fc.oneof(
  junk,
  fc.integer({ min: 33, max: 200 }).map((n) => Array.from({ length: n }, (_, i) => `v${i}=x`).join(',')),
  fc.constant('ot=rv:zz;th:,sentry.dsc=a,UPPER=1'),
);

const repeated = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | T[]> =>
  fc.oneof(arb, fc.array(arb, { minLength: 2, maxLength: 4 }));

export interface MalformedHeaders {
  traceparent?: string | string[];
  tracestate?: string | string[];
  'sentry-trace'?: string | string[];
  baggage?: string | string[];
}

/**
 * Header sets with no valid trace parent: traceparent and sentry-trace are garbage, near-misses or repeated
 * (repeated valid values are ambiguous and must not be continued either); tracestate/baggage anything.
 */
export function malformedTraceHeaders(): fc.Arbitrary<MalformedHeaders> {
  const validTraceparent = fc
    .tuple(hexString(32), hexString(16))
    .map(([t, s]) => `00-${t.replace(/^0/, '1')}-${s.replace(/^0/, '1')}-01`);
  return fc.record(
    {
      traceparent: fc.oneof(junk, nearMissTraceparent, fc.array(validTraceparent, { minLength: 2, maxLength: 3 })),
      tracestate: repeated(garbageTracestate),
      'sentry-trace': fc.oneof(
        junk,
        nearMissSentryTrace,
        fc.array(nearMissSentryTrace, { minLength: 2, maxLength: 3 }),
      ),
      baggage: repeated(garbageBaggage),
    },
    { requiredKeys: [] },
  );
}
