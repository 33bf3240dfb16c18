/**
 * Oracle: for generated incoming headers, rates and samplers, the sampler's decision, sample_rand and outgoing
 * DSC equal what @sentry/core 11.12's own functions give for the same input (Math.random fed the value we
 * derive from the trace id, where Sentry would draw one).
 */
import { trace } from '@opentelemetry/api';
import {
  dynamicSamplingContextToSentryBaggageHeader,
  getDynamicSamplingContextFromClient,
  parseSampleRate,
  propagationContextFromHeaders,
  sampleSpan,
  shouldContinueTrace,
} from '@sentry/core';
import { NodeClient } from '@sentry/node';
import * as fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acceptedDsc } from '../../../src/telemetry/sampling/dsc.js';
import { randomValueFromTraceId, sampleRandFromRandomValue } from '../../../src/telemetry/sampling/sample-rand.js';
import type { SamplingContext, TracesSampler } from '../../../src/telemetry/common/types.js';
import { dsn, makeConfig, makeHarness } from './sampling-harness.js';

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });

const samplerKinds = ['none', 'fixed', 'inherit', 'throws', 'boolean', 'byParent'] as const;
type SamplerKind = (typeof samplerKinds)[number];

function makeSampler(kind: SamplerKind, value: number): TracesSampler | undefined {
  switch (kind) {
    case 'none':
      return undefined;
    case 'fixed':
      return () => value;
    case 'inherit':
      return (ctx: SamplingContext) => ctx.inheritOrSampleWith(value);
    case 'throws':
      return () => {
        throw new Error('sampler bug');
      };
    case 'boolean':
      return () => value >= 0.5;
    case 'byParent':
      return (ctx: SamplingContext) => (ctx.parentSampled === undefined ? value : ctx.parentSampled ? 1 : 0);
  }
}

const combination = fc.record({
  header: fc.constantFrom('none', 'traceparent-01', 'traceparent-00', 'sentry-1', 'sentry-0', 'sentry-deferred'),
  traceId: hex(32),
  spanId: hex(16),
  baggage: fc.option(
    fc.record(
      {
        sample_rand: fc.oneof(
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }).map(String),
          fc.constant('nope'),
        ),
        sample_rate: fc.oneof(
          fc.constantFrom('0', '0.1', '0.5', '1', '2', 'x'),
          fc.double({ min: 0, max: 1, noNaN: true }).map(String),
        ),
        org_id: fc.constantFrom('17', '99'),
        public_key: fc.constant('upstreamkey'),
        environment: fc.constant('browser-prod'),
        transaction: fc.constant('/checkout'),
        sampled: fc.constantFrom('true', 'false'),
      },
      { requiredKeys: [] },
    ),
    { nil: undefined },
  ),
  tracesSampleRate: fc.option(fc.constantFrom(0, 0.25, 0.5, 1, 0.333), { nil: undefined }),
  samplerKind: fc.constantFrom(...samplerKinds),
  samplerValue: fc.constantFrom(0, 0.2, 0.5, 0.9, 1),
  orgId: fc.constantFrom(undefined, '17', '99'),
  dsnOrg: fc.constantFrom(undefined, '17'),
  strict: fc.boolean(),
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('oracle: @sentry/core 11.12 decides, samples and builds the DSC as we do', () => {
  it('agrees on >= 500 generated combinations', () => {
    // Every NodeClient registers a beforeExit flush listener; hundreds are expected here.
    process.setMaxListeners(1000);
    let runs = 0;
    let continued = 0;
    let sampledCount = 0;
    fc.assert(
      fc.property(combination, (c) => {
        fc.pre(!/^0+$/.test(c.traceId) && !/^0+$/.test(c.spanId));
        runs++;
        const tracesSampler = makeSampler(c.samplerKind, c.samplerValue);
        const parsedDsn = dsn(c.dsnOrg);
        const config = makeConfig({
          dsn: parsedDsn,
          sampling: {
            tracesSampleRate: c.tracesSampleRate,
            ...(tracesSampler ? { tracesSampler } : {}),
            ...(c.orgId ? { orgId: c.orgId } : {}),
            strictTraceContinuation: c.strict,
          },
        });
        const headers: Record<string, string> = {};
        const flag = c.header.endsWith('1') ? '1' : c.header.endsWith('0') ? '0' : undefined;
        if (c.header.startsWith('traceparent')) headers.traceparent = `00-${c.traceId}-${c.spanId}-0${flag}`;
        if (c.header.startsWith('sentry'))
          headers['sentry-trace'] = `${c.traceId}-${c.spanId}${flag ? `-${flag}` : ''}`;
        const baggage = c.baggage
          ? Object.entries(c.baggage)
              .map(([k, v]) => `sentry-${k}=${encodeURIComponent(v)}`)
              .concat('tenant=acme')
              .join(',')
          : undefined;
        if (baggage) headers.baggage = baggage;

        // Ours.
        const harness = makeHarness(config);
        const { span, context } = harness.serverSpan(headers, '/api/items', 'GET');
        const out = harness.inject(context);
        const ourTraceId = span.spanContext().traceId;

        // Sentry's.
        const client = new NodeClient({
          dsn: parsedDsn.raw,
          environment: config.environment,
          release: config.release,
          ...(c.orgId ? { orgId: c.orgId } : {}),
          strictTraceContinuation: c.strict,
          ...(c.tracesSampleRate !== undefined ? { tracesSampleRate: c.tracesSampleRate } : {}),
          ...(tracesSampler ? { tracesSampler: tracesSampler as never } : {}),
          integrations: [],
          transport: () => ({ send: async () => ({}), flush: async () => true }),
          stackParser: () => [],
        });
        const sentryTraceEquivalent =
          headers['sentry-trace'] ?? (headers.traceparent ? `${c.traceId}-${c.spanId}-${flag}` : undefined);
        const incomingDsc = propagationContextFromHeaders(sentryTraceEquivalent, baggage).dsc;
        const hasParent = sentryTraceEquivalent !== undefined;
        const continues = hasParent && shouldContinueTrace(client, incomingDsc?.org_id);
        expect(ourTraceId === c.traceId).toBe(continues);

        const u = sampleRandFromRandomValue(randomValueFromTraceId(ourTraceId));
        vi.spyOn(Math, 'random').mockReturnValue(u);
        // Sentry is given the DSC we accept: one that fails validation (a rate out of range, a foreign public
        // key outside our org...) is dropped as a whole, as if no Sentry baggage had come (the org check above
        // still reads the raw org id).
        const accepted = c.baggage && acceptedDsc(config, { ...c.baggage }, c.traceId) ? baggage : 'tenant=acme';
        const pc = continues
          ? propagationContextFromHeaders(sentryTraceEquivalent, accepted)
          : { traceId: ourTraceId, sampleRand: u };
        const parentSampled = 'sampled' in pc ? pc.sampled : undefined;
        // @sentry/core reads no traceparent: for a W3C parent without a DSC it would have headed the trace's DSC,
        // and so does the layer (a complete DSC, never the lone sample_rand of an empty frozen one).
        const w3cWithoutDsc =
          c.header.startsWith('traceparent') && 'dsc' in pc && Object.keys(pc.dsc ?? {}).length === 0;
        const dscIn = 'dsc' in pc && !w3cWithoutDsc ? pc.dsc : undefined;
        const [sampled, rate, local] = sampleSpan(
          client.getOptions(),
          {
            name: 'GET /api/items',
            attributes: { 'http.request.method': 'GET', 'url.path': '/api/items', 'url.scheme': 'http' },
            parentSampled,
            parentSampleRate: parseSampleRate(dscIn?.sample_rate),
          },
          pc.sampleRand,
        );
        vi.restoreAllMocks();

        expect(span.isRecording()).toBe(sampled);
        let expectedDsc: Record<string, string | undefined>;
        if (dscIn) {
          expectedDsc = Object.keys(dscIn).length === 0 ? { sample_rand: String(pc.sampleRand) } : { ...dscIn };
        } else {
          expectedDsc = { ...getDynamicSamplingContextFromClient(ourTraceId, client) };
          expectedDsc.sampled = String(sampled);
          expectedDsc.sample_rand = String(pc.sampleRand);
        }
        if (rate !== undefined && local) expectedDsc.sample_rate = String(rate);
        const expectedSentryBaggage = dynamicSamplingContextToSentryBaggageHeader(expectedDsc);
        const ourSentryBaggage = (out.baggage ?? '')
          .split(',')
          .filter((entry) => entry.startsWith('sentry-'))
          .join(',');
        expect(ourSentryBaggage).toBe(expectedSentryBaggage);
        expect(out['sentry-trace']).toBe(`${ourTraceId}-${span.spanContext().spanId}-${sampled ? 1 : 0}`);
        if (continues) continued++;
        if (sampled) sampledCount++;
        span.end();
        expect(trace.getSpan(context)).toBe(span);
      }),
      { numRuns: 600 },
    );
    expect(runs).toBeGreaterThanOrEqual(500);
    expect(continued).toBeGreaterThan(100);
    expect(sampledCount).toBeGreaterThan(50);
    console.log(`oracle: ${runs} combinations, ${continued} continued traces, ${sampledCount} sampled`);
  });
});
