import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { createSampler } from '../../../src/telemetry/sampling/sampler.js';
import { parseTraceStateHeader, SharedTraceState } from '../../../src/telemetry/sampling/shared-trace-state.js';
import { makeConfig, makeHarness } from './sampling-harness.js';

const T = '0af7651916cd43dd8448eb211c80319c';
const S = 'b7ad6b7169203331';

describe('SharedTraceState', () => {
  it('serialises like core, reads members and stays immutable under set/unset', () => {
    const raw = 'vendor=a, ot=th:8;rv:aaaaaaaaaaaaaa ,bad member,x=1';
    const shared = SharedTraceState.from(new TraceState(raw));
    expect(shared.serialize()).toBe(new TraceState(raw).serialize());
    expect(shared.get('ot')).toBe('th:8;rv:aaaaaaaaaaaaaa');
    expect(shared.get('bad member')).toBeUndefined();
    const changed = shared.set('ot', 'rv:bbbbbbbbbbbbbb');
    expect(changed.serialize()).toBe('ot=rv:bbbbbbbbbbbbbb,vendor=a,x=1');
    expect(shared.unset('vendor').serialize()).toBe('ot=th:8;rv:aaaaaaaaaaaaaa,x=1');
    expect(shared.serialize()).toBe('vendor=a,ot=th:8;rv:aaaaaaaaaaaaaa,x=1');
    expect(SharedTraceState.from(shared)).toBe(shared);
  });

  it('reads and changes keys of the current W3C grammar, and set() keeps 32 members', () => {
    const full = parseTraceStateHeader(
      Array.from({ length: 31 }, (_, i) => `k${i}=v`)
        .concat('foo@@bar=1')
        .join(','),
    );
    expect(full?.get('foo@@bar')).toBe('1');
    const changed = full?.set('0abc@x', '2');
    expect(changed?.serialize().split(',')).toHaveLength(32);
    expect(changed?.serialize()).toMatch(/^0abc@x=2,k0=v,/);
    expect(changed?.get('foo@@bar')).toBeUndefined();
    expect(full?.set('BAD', '1')).toBe(full);
    expect(parseTraceStateHeader('a=1,a=2')?.serialize()).toBe('a=1');
    expect(parseTraceStateHeader(' , ')).toBeUndefined();
  });

  it('is what a root decision hands its spans, and its wire form is the one core would write', () => {
    const result = createSampler(makeConfig()).shouldSample(ROOT_CONTEXT, T, 'work', SpanKind.INTERNAL, {}, []);
    const state = result.traceState;
    expect(state).toBeInstanceOf(SharedTraceState);
    expect(state?.serialize()).toBe(new TraceState(state?.serialize()).serialize());
    expect(state?.serialize()).toBe(`ot=th:0;rv:${T.slice(-14)}`);
  });

  it('keeps upstream members when a service continues a trace, and every local span shares the object', () => {
    const harness = makeHarness(makeConfig());
    const { span, context } = harness.serverSpan({
      traceparent: `00-${T}-${S}-01`,
      tracestate: 'congo=t61rcWkgMzE,ot=p:8;rv:0123456789abcd',
    });
    const child = harness.provider.getTracer('test').startSpan('child', {}, context);
    const state = span.spanContext().traceState;
    expect(state).toBeInstanceOf(SharedTraceState);
    expect(child.spanContext().traceState).toBe(state);
    // An inherited decision names no threshold: only rv (kept) and the other ot fields travel on.
    expect(state?.serialize()).toBe('ot=rv:0123456789abcd;p:8,congo=t61rcWkgMzE');
    expect(trace.getSpan(context)).toBe(span);
    child.end();
    span.end();
  });
});
