/** Error events carry trace id, span ids, `sampled` and the DSC in the envelope header, from the real v11 client. */
import { context as otelContext, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { Envelope } from '@sentry/core';
import { NodeClient, Scope } from '@sentry/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentryTraceLinkIntegration } from '../../../src/telemetry/sentry/trace-link.js';
import { makeConfig, makeHarness } from './sampling-harness.js';

const envelopes: Envelope[] = [];
const manager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  otelContext.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  otelContext.disable();
});

function makeClient(): NodeClient {
  const client = new NodeClient({
    dsn: 'https://abc123@o17.ingest.sentry.io/42',
    integrations: [sentryTraceLinkIntegration()],
    transport: () => ({
      send: async (envelope: Envelope) => {
        envelopes.push(envelope);
        return {};
      },
      flush: async () => true,
    }),
    stackParser: () => [],
  });
  client.init();
  return client;
}

describe('sentryTraceLinkIntegration', () => {
  it.each([
    ['sampled', 1, true],
    ['not sampled', 0, false],
  ])('links an error of a %s trace', async (_name, rate, sampled) => {
    envelopes.length = 0;
    const client = makeClient();
    const harness = makeHarness(makeConfig({ sampling: { tracesSampleRate: rate } }));
    const upstream = '4bf92f3577b34da6a3ce929d0e0e4736';
    const { span, context } = harness.serverSpan({ 'sentry-trace': `${upstream}-00f067aa0ba902b7` });
    const child = harness.provider.getTracer('t').startSpan('work', {}, context);
    otelContext.with(trace.setSpan(context, child), () => {
      client.captureException(new Error('boom'), {}, new Scope());
    });
    await client.flush(1000);
    const [headers, items] = envelopes[0] ?? [];
    const event = items?.[0]?.[1] as { contexts?: { trace?: Record<string, unknown> } };
    expect(event.contexts?.trace).toMatchObject({
      trace_id: upstream,
      span_id: child.spanContext().spanId,
      sampled,
      ...(sampled ? { parent_span_id: span.spanContext().spanId } : {}),
    });
    expect((headers as { trace?: Record<string, string> }).trace).toEqual({
      sample_rand: expect.stringMatching(/^0\.\d+|^\d\.\d+e-\d+$/),
      sample_rate: String(rate),
    });
    child.end();
    span.end();
  });

  it('puts the head DSC into the envelope of a trace this service started', async () => {
    envelopes.length = 0;
    const client = makeClient();
    const harness = makeHarness(makeConfig({ sampling: { tracesSampleRate: 1 } }));
    const { span, context } = harness.serverSpan({});
    otelContext.with(context, () => client.captureException(new Error('boom'), {}, new Scope()));
    await client.flush(1000);
    const headers = envelopes[0]?.[0] as { trace?: Record<string, string> };
    expect(headers.trace).toMatchObject({
      environment: 'staging',
      release: 'svc@1.2.3',
      public_key: 'abc123',
      trace_id: span.spanContext().traceId,
      org_id: '17',
      sampled: 'true',
      sample_rate: '1',
    });
    span.end();
  });
});
