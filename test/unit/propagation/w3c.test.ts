/** W3C Trace Context level 2 conformance of extract()/inject(), and the Sentry headers written beside it. */
import { TraceFlags, propagation, trace } from '@opentelemetry/api';
import { RPCType, setRPCMetadata } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { registerPeer } from '../../../src/telemetry/propagation/targets.js';
import { makeConfig, makeHarness } from '../sampling/sampling-harness.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const harness = makeHarness(makeConfig());

function parentOf(headers: Record<string, string | string[]>) {
  return trace.getSpanContext(harness.extract(headers));
}

describe('traceparent (level 2)', () => {
  it('accepts version 00 and keeps the sampled and random flags', () => {
    expect(parentOf({ traceparent: `00-${T}-${S}-01` })).toMatchObject({
      traceId: T,
      spanId: S,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(parentOf({ traceparent: `00-${T}-${S}-00` })?.traceFlags).toBe(TraceFlags.NONE);
    const { span, context } = harness.serverSpan({ traceparent: `00-${T}-${S}-03` });
    expect(harness.inject(context).traceparent).toBe(`00-${T}-${span.spanContext().spanId}-03`);
  });

  it.each([
    ['uppercase trace id', `00-${T.toUpperCase()}-${S}-01`],
    ['uppercase span id', `00-${T}-${S.toUpperCase()}-01`],
    ['version ff', `ff-${T}-${S}-01`],
    ['version 00 with extra data', `00-${T}-${S}-01-extra`],
    ['all-zero trace id', `00-${'0'.repeat(32)}-${S}-01`],
    ['all-zero span id', `00-${T}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${T.slice(1)}-${S}-01`],
    ['non-hex flags', `00-${T}-${S}-0x`],
    ['wrong separator', `00_${T}_${S}_01`],
    ['future version too short', `01-${T}-${S}-0`],
    ['future version without dash after flags', `01-${T}-${S}-01x`],
  ])('refuses %s', (_name, value) => {
    expect(parentOf({ traceparent: value })).toBeUndefined();
  });

  it('reads a future version by its first 55 characters', () => {
    expect(parentOf({ traceparent: `01-${T}-${S}-01-what-the-future-holds` })).toMatchObject({ traceId: T, spanId: S });
    expect(parentOf({ traceparent: `cc-${T}-${S}-09` })).toMatchObject({ traceId: T, traceFlags: TraceFlags.SAMPLED });
  });

  it('refuses two traceparent headers', () => {
    expect(parentOf({ traceparent: [`00-${T}-${S}-01`, `00-${T}-${S}-01`] })).toBeUndefined();
  });

  it('prefers traceparent over sentry-trace, and reads sentry-trace when alone', () => {
    const other = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    expect(parentOf({ traceparent: `00-${T}-${S}-01`, 'sentry-trace': `${other}-${S}-1` })?.traceId).toBe(T);
    expect(parentOf({ 'sentry-trace': `${other}-${S}-0` })).toMatchObject({
      traceId: other,
      traceFlags: TraceFlags.NONE,
    });
  });
});

describe('tracestate', () => {
  it('passes valid members on, with our ot entry first', () => {
    const { context } = harness.serverSpan({
      traceparent: `00-${T}-${S}-01`,
      tracestate: 'congo=t61rcWkgMzE, rojo=00f067aa0ba902b7',
    });
    const out = harness.inject(context).tracestate ?? '';
    const members = out.split(',');
    expect(members[0]).toMatch(/^ot=(th:[0-9a-f]+;)?rv:[0-9a-f]{14}$/);
    expect(members.slice(1)).toEqual(['congo=t61rcWkgMzE', 'rojo=00f067aa0ba902b7']);
  });

  it('discards the whole header when one member is invalid (the strict choice the spec allows)', () => {
    for (const tracestate of [
      'congo=t61rcWkgMzE,BAD=1',
      'congo=1,sentry.dsc=x',
      'foo=,bar=3',
      '@foo=1,bar=2',
      `foo=1,${'z'.repeat(257)}=1`,
      `a=${'x'.repeat(600)}`,
    ]) {
      const { context } = harness.serverSpan({ traceparent: `00-${T}-${S}-01`, tracestate });
      expect(harness.inject(context).tracestate, tracestate).toMatch(/^ot=[^,]*$/);
    }
  });

  it('keeps the 32-member limit with our ot entry: the rightmost incoming member goes', () => {
    const members = (n: number): string => Array.from({ length: n }, (_, i) => `k${i}=v`).join(',');
    const out32 = (
      harness.inject(harness.serverSpan({ traceparent: `00-${T}-${S}-01`, tracestate: members(32) }).context)
        .tracestate ?? ''
    ).split(',');
    expect(out32).toHaveLength(32);
    expect(out32[0]).toMatch(/^ot=/);
    expect(out32.slice(1)).toEqual(members(31).split(','));
    // 33 members are not a valid list: discarded whole.
    const out33 = harness.inject(
      harness.serverSpan({ traceparent: `00-${T}-${S}-01`, tracestate: members(33) }).context,
    ).tracestate;
    expect(out33).toMatch(/^ot=[^,]*$/);
    // An incoming ot member is replaced in place of being added: 32 stay 32.
    const withOt = `ot=rv:ffffffffffffff,${members(31)}`;
    const outOt = (
      harness.inject(harness.serverSpan({ traceparent: `00-${T}-${S}-01`, tracestate: withOt }).context).tracestate ??
      ''
    ).split(',');
    expect(outOt).toHaveLength(32);
    expect(outOt.slice(1)).toEqual(members(31).split(','));
  });

  it.each([
    ['foo@', 'foo@=1'],
    ['foo@@bar', 'foo@@bar=1'],
    ['foo@bar@baz', 'foo@bar@baz=1'],
    ['a key starting with a digit', '0abc=1'],
    ['a 16-character tenant part', `t@${'v'.repeat(15)}=1`],
    ['a 242-character key with @v', `${'t'.repeat(242)}@v=1`],
    ['a 256-character key', `${'z'.repeat(256)}=1`],
  ])('passes a key valid in the current grammar on: %s', (_name, member) => {
    const { context } = harness.serverSpan({ traceparent: `00-${T}-${S}-01`, tracestate: `${member},bar=2` });
    expect((harness.inject(context).tracestate ?? '').split(',').slice(1)).toEqual([member, 'bar=2']);
  });

  it('truncates a list over 512 characters, members over 128 characters first', () => {
    const long = `big=${'x'.repeat(200)}`;
    const small = Array.from({ length: 20 }, (_, i) => `s${i}=${'y'.repeat(12)}`);
    const { context } = harness.serverSpan({
      traceparent: `00-${T}-${S}-01`,
      tracestate: [small[0], long, ...small.slice(1)].join(','),
    });
    const out = harness.inject(context).tracestate ?? '';
    expect(out.length).toBeLessThanOrEqual(512);
    expect(out).not.toContain('big=');
    expect(out.split(',').slice(1)).toEqual(small);
  });

  it('passes an upstream OpenTelemetry threshold on when the decision is inherited, with the other ot fields', () => {
    // T ends in ...0e0e4736: its R is above the threshold of 0.3, so the sampled parent is consistent.
    const { span, context } = harness.serverSpan({
      traceparent: `00-${T}-${S}-03`,
      tracestate: 'ot=th:b3333333333334;p:8,vendor=1',
    });
    expect(span.isRecording()).toBe(true);
    expect(harness.inject(context).tracestate).toBe(`ot=th:b3333333333334;rv:${T.slice(-14)};p:8,vendor=1`);
    // A rate applied here writes its own threshold instead.
    const local = makeHarness(makeConfig({ sampling: { tracesSampler: () => 1 } }));
    const own = local.serverSpan({ traceparent: `00-${T}-${S}-03`, tracestate: 'ot=th:b3333333333334' });
    expect(local.inject(own.context).tracestate).toBe(`ot=th:0;rv:${T.slice(-14)}`);
    // An unsampled inherited decision carries no threshold.
    const dropped = harness.serverSpan({ traceparent: `00-${T}-${S}-02`, tracestate: 'ot=th:b3333333333334' });
    expect(harness.inject(dropped.context).tracestate).toBe(`ot=rv:${T.slice(-14)}`);
  });

  it('continues the upstream ot=rv randomness', () => {
    const { context } = harness.serverSpan({ traceparent: `00-${T}-${S}-01`, tracestate: 'ot=rv:ffffffffffffff' });
    expect(harness.inject(context).tracestate).toContain('rv:ffffffffffffff');
  });
});

describe('inject', () => {
  it('writes each header once, sentry-trace with the decision, one baggage with DSC first', () => {
    const { span, context } = harness.serverSpan({});
    const carrier: Record<string, string> = { Baggage: 'user=1,sentry-environment=spoofed' };
    const out = harness.inject(
      trace.setSpan(setRPCMetadata(context, { type: RPCType.HTTP, route: '/api/items/:id', span }), span),
      carrier,
    );
    const { traceId, spanId } = span.spanContext();
    expect(Object.keys(out).toSorted()).toEqual(['baggage', 'sentry-trace', 'traceparent', 'tracestate']);
    expect(out['sentry-trace']).toBe(`${traceId}-${spanId}-1`);
    expect(out.traceparent).toBe(`00-${traceId}-${spanId}-03`);
    expect(out.baggage).toMatch(
      new RegExp(
        `^sentry-environment=staging,sentry-release=svc%401.2.3,sentry-public_key=abc123,sentry-trace_id=${traceId},sentry-org_id=17,sentry-transaction=GET%20%2Fapi%2Fitems%2F%3Aid,sentry-sampled=true,sentry-sample_rand=[0-9.e-]+,sentry-sample_rate=1,user=1$`,
      ),
    );
  });

  it('freezes the DSC: a route named later does not change it', () => {
    const { span, context } = harness.serverSpan({});
    const first = harness.inject(context).baggage;
    const later = harness.inject(setRPCMetadata(context, { type: RPCType.HTTP, route: '/late', span }));
    expect(first).not.toContain('transaction');
    expect(later.baggage).toBe(first);
  });

  it('caps the baggage header at 8192 characters, keeping the DSC', () => {
    const entries: Record<string, { value: string }> = {};
    for (let i = 0; i < 100; i++) entries[`k${i}`] = { value: 'v'.repeat(100) };
    const { context } = harness.serverSpan({});
    const out = harness.inject(propagation.setBaggage(context, propagation.createBaggage(entries)));
    expect(out.baggage?.length).toBeLessThanOrEqual(8192);
    expect(out.baggage).toMatch(/^sentry-environment=/);
  });

  it('heads the DSC of a W3C trace that came without one: a complete DSC, never a lone sample_rand', () => {
    const { span, context } = harness.serverSpan({ traceparent: `00-${T}-${S}-01` });
    expect(span.isRecording()).toBe(true);
    expect(harness.inject(context).baggage).toMatch(
      new RegExp(
        `^sentry-environment=staging,sentry-release=svc%401\\.2\\.3,sentry-public_key=abc123,sentry-trace_id=${T},sentry-org_id=17,sentry-sampled=true,sentry-sample_rand=[0-9.e-]+$`,
      ),
    );
    // A sentry-trace parent without baggage is a Sentry trace whose head sent no DSC: @sentry/core 11.12 freezes
    // an empty one and sends only sample_rand on, and so does the layer.
    const sentry = harness.serverSpan({ 'sentry-trace': `${T}-${S}-1` });
    expect(harness.inject(sentry.context).baggage).toMatch(/^sentry-sample_rand=[0-9.e-]+$/);
  });

  it('keeps an upstream DSC unchanged when the decision is inherited', () => {
    // Another project of our organisation (org 17) heads the trace: its DSC, public key included, goes on.
    const baggage =
      'sentry-environment=web,sentry-public_key=k,sentry-trace_id=' +
      T +
      ',sentry-org_id=17,sentry-sample_rand=0.125,sentry-sample_rate=0.5,sentry-sampled=true';
    const h = makeHarness(makeConfig({ sampling: { tracesSampleRate: 0.01 } }));
    const { span, context } = h.serverSpan({ 'sentry-trace': `${T}-${S}-1`, baggage });
    expect(span.isRecording()).toBe(true);
    expect(h.inject(context).baggage).toBe(baggage);
  });
});

const headers = (): Record<string, string> => ({
  traceparent: `00-${T}-${S}-01`,
  baggage: 'tenant=acme,sentry-sample_rand=0.5',
});

describe('incoming non-Sentry baggage', () => {
  it('is accepted from allowed peers only; the DSC is read from any peer', () => {
    const fromLoopback = headers();
    registerPeer(fromLoopback, '127.0.0.1');
    expect(propagation.getBaggage(harness.extract(fromLoopback))?.getEntry('tenant')?.value).toBe('acme');
    const fromOutside = headers();
    registerPeer(fromOutside, '203.0.113.9');
    const ctx = harness.extract(fromOutside);
    expect(propagation.getBaggage(ctx)?.getEntry('tenant')).toBeUndefined();
    const { context } = harness.serverSpan(fromOutside);
    expect(harness.inject(context).baggage).toContain('sentry-sample_rand=0.5');
  });
});
