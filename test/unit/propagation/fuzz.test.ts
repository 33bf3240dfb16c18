/** 5,000 malformed header sets given to extract(): it never throws and never continues a trace from garbage. */
import { ROOT_CONTEXT, defaultTextMapGetter, trace } from '@opentelemetry/api';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPropagator } from '../../../src/telemetry/propagation/propagator.js';
import { malformedTraceHeaders } from '../../generators/trace-headers.js';
import { makeConfig, makeHarness } from '../sampling/sampling-harness.js';

describe('extract() on malformed headers', () => {
  it('never throws and never continues a trace (5,000 generated header sets)', () => {
    const propagator = createPropagator(makeConfig());
    const harness = makeHarness(makeConfig());
    let count = 0;
    fc.assert(
      fc.property(malformedTraceHeaders(), (headers) => {
        count++;
        const carrier = headers as Record<string, string | string[]>;
        const context = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
        expect(trace.getSpanContext(context)).toBeUndefined();
        // A span started from it is a new root, and injecting it again does not throw either.
        const { span, context: active } = harness.serverSpan(carrier);
        const incoming = [carrier.traceparent, carrier['sentry-trace']].flat().join(' ');
        expect(incoming.includes(span.spanContext().traceId)).toBe(false);
        const out = harness.inject(active);
        expect((out.baggage ?? '').length).toBeLessThanOrEqual(8192);
        span.end();
      }),
      { numRuns: 5000 },
    );
    expect(count).toBe(5000);
  });
});
