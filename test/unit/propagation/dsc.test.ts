/** Incoming Sentry baggage (the DSC) is validated, and a DSC that fails goes nowhere, in part or whole. */
import { describe, expect, it } from 'vitest';
import { makeConfig, makeHarness } from '../sampling/sampling-harness.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
// A DSC from another project of our organisation (the harness's DSN: public key abc123, org 17).
const VALID = `sentry-environment=web,sentry-public_key=b7f1e2d3c4a5968778695a4b3c2d1e0f,sentry-trace_id=${T},sentry-org_id=17,sentry-sampled=true,sentry-sample_rand=0.125,sentry-sample_rate=0.5`;

const harness = makeHarness(makeConfig({ sampling: { tracesSampleRate: 0.01 } }));

function sentOn(headers: Record<string, string>): { recording: boolean; baggage: string | undefined } {
  const { span, context } = harness.serverSpan(headers);
  const baggage = harness.inject(context).baggage;
  const recording = span.isRecording();
  span.end();
  return { recording, baggage };
}

describe('incoming DSC validation', () => {
  it('forwards a valid DSC unchanged and inherits its decision', () => {
    expect(sentOn({ 'sentry-trace': `${T}-${S}-1`, baggage: VALID })).toEqual({ recording: true, baggage: VALID });
  });

  it.each([
    ['a negative sample_rate', 'sentry-sample_rate=-1'],
    ['a sample_rate above 1', 'sentry-sample_rate=1.5'],
    ['a sample_rate that is not a number', 'sentry-sample_rate=0.5abc'],
    ['a sample_rand of 1', 'sentry-sample_rand=1'],
    ['a negative sample_rand', 'sentry-sample_rand=-0.1'],
    ['a sampled flag other than true/false', 'sentry-sampled=yes'],
    ['an unknown key', 'sentry-user_segment=vip'],
    ['a trace id of another trace', `sentry-trace_id=${'a'.repeat(32)}`],
    ['a transaction over 200 characters', `sentry-transaction=${'t'.repeat(201)}`],
    ['an environment over 64 characters', `sentry-environment=${'e'.repeat(65)}`],
    ['a malformed public key', 'sentry-public_key=ab%20cd'],
  ])('drops the whole DSC for %s', (_name, forged) => {
    // A sentry-trace parent without an acceptable DSC: the frozen DSC is empty, only sample_rand goes on, and the
    // decision is the parent's.
    const out = sentOn({ 'sentry-trace': `${T}-${S}-1`, baggage: `${VALID},${forged}` });
    expect(out.recording).toBe(true);
    expect(out.baggage).toMatch(/^sentry-sample_rand=[0-9.e-]+$/);
    expect(out.baggage).not.toContain('0.125');
  });

  it('drops a DSC whose public key is not ours unless it names our organisation', () => {
    const foreign = `sentry-environment=web,sentry-public_key=ffffffffffffffffffffffffffffffff,sentry-trace_id=${T},sentry-sampled=true,sentry-sample_rand=0.125`;
    expect(sentOn({ 'sentry-trace': `${T}-${S}-1`, baggage: foreign }).baggage).toMatch(
      /^sentry-sample_rand=[0-9.e-]+$/,
    );
    // From a W3C parent the layer then heads the DSC: our own public key and trace id, complete.
    const w3c = sentOn({ traceparent: `00-${T}-${S}-01`, baggage: foreign }).baggage ?? '';
    expect(w3c).toContain(`sentry-public_key=abc123,sentry-trace_id=${T},sentry-org_id=17`);
    expect(w3c).not.toContain('ffffffff');
    // Our own key needs no org id.
    const ours = `sentry-environment=web,sentry-public_key=abc123,sentry-trace_id=${T},sentry-sampled=true,sentry-sample_rand=0.125`;
    expect(sentOn({ 'sentry-trace': `${T}-${S}-1`, baggage: ours }).baggage).toBe(ours);
  });

  it('accepts a foreign public key when the layer has no DSN (no error of ours can carry it)', () => {
    const noDsn = makeHarness(makeConfig({ dsn: undefined }));
    const foreign = `sentry-public_key=ffffffffffffffffffffffffffffffff,sentry-trace_id=${T},sentry-sample_rand=0.125`;
    const { context } = noDsn.serverSpan({ 'sentry-trace': `${T}-${S}-1`, baggage: foreign });
    expect(noDsn.inject(context).baggage).toBe(foreign);
  });

  it('still refuses to continue a trace of another organisation, even when its DSC is invalid', () => {
    const { span } = harness.serverSpan({
      'sentry-trace': `${T}-${S}-1`,
      baggage: 'sentry-org_id=99,sentry-sample_rate=-1',
    });
    expect(span.spanContext().traceId).not.toBe(T);
  });
});
