/**
 * The company id as W3C baggage: inject() adds `tenant.id` from the Sentry scope, the scope bridge puts an
 * incoming `tenant.id` on the request's spans, and a peer outside baggageTargets cannot set it.
 */
import { ROOT_CONTEXT, SpanKind, defaultTextMapGetter, defaultTextMapSetter, propagation, trace, type Context } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { withScope } from '@sentry/core';
import { describe, expect, it } from 'vitest';
import { createPropagator } from '../../src/telemetry/propagation.js';
import { createSampler } from '../../src/telemetry/sampling.js';
import { registerPeer, setOutgoingPermission } from '../../src/telemetry/propagation-targets.js';
import { bridgeScopesToActiveSpan, createScopeBridgeProcessor } from '../../src/telemetry/scope-bridge.js';
import { TENANT_BAGGAGE_KEY } from '../../src/telemetry/tenant.js';
import { makeConfig } from './sampling-harness.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
const config = makeConfig();
const propagator = createPropagator(config);
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  sampler: createSampler(config),
  spanProcessors: [createScopeBridgeProcessor(config), new SimpleSpanProcessor(exporter)],
});
const tracer = provider.getTracer('tenant-test');

function baggageEntries(carrier: Record<string, string>): Array<[string, string]> {
  return (carrier.baggage ?? '')
    .split(',')
    .filter((member) => member !== '')
    .map((member) => {
      const eq = member.indexOf('=');
      return [decodeURIComponent(member.slice(0, eq)), decodeURIComponent(member.slice(eq + 1))];
    });
}

function tenantsSent(context: Context, carrier: Record<string, string> = {}): string[] {
  propagator.inject(context, carrier, defaultTextMapSetter);
  return baggageEntries(carrier)
    .filter(([key]) => key === TENANT_BAGGAGE_KEY)
    .map(([, value]) => value);
}

/** A client span's context, as the HTTP and undici instrumentations inject from. */
function clientContext(parent: Context = ROOT_CONTEXT): Context {
  return trace.setSpan(parent, tracer.startSpan('GET', { kind: SpanKind.CLIENT }, parent));
}

function finished(name: string): ReadableSpan {
  const span = exporter.getFinishedSpans().find((s) => s.name === name);
  if (span === undefined) throw new Error(`no finished span ${name}`);
  return span;
}

describe('inject: the scope company goes downstream as tenant.id', () => {
  it('adds tenant.id from setUserContext({ companyId }) (the user company_id), once, after the DSC', () => {
    withScope((scope) => {
      scope.setUser({ id: 'u1', company_id: 'empresa_001' });
      const carrier: Record<string, string> = {};
      expect(tenantsSent(clientContext(), carrier)).toEqual(['empresa_001']);
      expect(baggageEntries(carrier)[0]?.[0]).toMatch(/^sentry-/);
    });
  });

  it('falls back to a company_id tag, and sends nothing without a company', () => {
    withScope((scope) => {
      scope.setTag('company_id', 'empresa_tag');
      expect(tenantsSent(clientContext())).toEqual(['empresa_tag']);
    });
    withScope(() => {
      expect(tenantsSent(clientContext())).toEqual([]);
    });
  });

  it('keeps a tenant.id the incoming baggage or the caller already set, without a second entry', () => {
    registerPeerHeaders({ baggage: 'tenant.id=upstream' }, '127.0.0.1', (incoming) => {
      withScope((scope) => {
        scope.setUser({ company_id: 'empresa_001' });
        expect(tenantsSent(clientContext(incoming))).toEqual(['upstream']);
        expect(tenantsSent(clientContext(), { baggage: 'tenant.id=caller,other=1' })).toEqual(['caller']);
      });
    });
  });

  it('adds nothing where the request may carry no baggage (undici permission) or tracing is suppressed', () => {
    withScope((scope) => {
      scope.setUser({ company_id: 'empresa_001' });
      const context = clientContext();
      const span = trace.getSpan(context);
      if (span === undefined) throw new Error('no span');
      setOutgoingPermission(span, { trace: true, baggage: false });
      const carrier: Record<string, string> = {};
      expect(tenantsSent(context, carrier)).toEqual([]);
      expect(carrier.traceparent).toBeDefined();
    });
  });
});

/** Extracts `headers` as the HTTP server instrumentation does after the peer hook registered `address`. */
function registerPeerHeaders(headers: Record<string, string>, address: string, run: (context: Context) => void): void {
  const carrier = { traceparent: `00-${T}-${S}-01`, ...headers };
  registerPeer(carrier, address);
  run(propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
}

describe('scope bridge: an incoming tenant.id lands on the spans', () => {
  it('sets tenant.id on the server span and its children from an allowed peer', () => {
    exporter.reset();
    registerPeerHeaders({ baggage: 'tenant.id=acme,sentry-trace_id=' + T }, '127.0.0.1', (incoming) => {
      withScope(() => {
        const server = tracer.startSpan('server', { kind: SpanKind.SERVER }, incoming);
        tracer.startSpan('child', {}, trace.setSpan(incoming, server)).end();
        server.end();
      });
    });
    expect(finished('server').attributes[TENANT_BAGGAGE_KEY]).toBe('acme');
    expect(finished('child').attributes[TENANT_BAGGAGE_KEY]).toBe('acme');
  });

  it('ignores a spoofed tenant.id from a peer outside baggageTargets', () => {
    exporter.reset();
    for (const address of ['203.0.113.9', '::ffff:198.51.100.7']) {
      registerPeerHeaders({ baggage: 'tenant.id=spoofed' }, address, (incoming) => {
        expect(propagation.getBaggage(incoming)).toBeUndefined();
        withScope(() => tracer.startSpan(`server ${address}`, { kind: SpanKind.SERVER }, incoming).end());
      });
      expect(finished(`server ${address}`).attributes[TENANT_BAGGAGE_KEY]).toBeUndefined();
    }
  });

  it("never overwrites an instrumentation's tenant.id, and the scope's company wins, also when named later", () => {
    exporter.reset();
    registerPeerHeaders({ baggage: 'tenant.id=acme' }, '127.0.0.1', (incoming) => {
      withScope((scope) => {
        tracer.startSpan('explicit', { attributes: { [TENANT_BAGGAGE_KEY]: 'set-by-app' } }, incoming).end();
        tracer.startSpan('before the company', {}, incoming).end();
        const server = tracer.startSpan('later', { kind: SpanKind.SERVER }, incoming);
        // Authentication names the company after the server span started (monitoring.setUserContext does this).
        scope.setUser({ company_id: 'empresa_local' });
        withActive(server, () => bridgeScopesToActiveSpan(false));
        server.end();
        tracer.startSpan('scoped', {}, incoming).end();
      });
    });
    expect(finished('explicit').attributes[TENANT_BAGGAGE_KEY]).toBe('set-by-app');
    expect(finished('before the company').attributes[TENANT_BAGGAGE_KEY]).toBe('acme');
    expect(finished('later').attributes[TENANT_BAGGAGE_KEY]).toBe('empresa_local');
    expect(finished('scoped').attributes[TENANT_BAGGAGE_KEY]).toBe('empresa_local');
  });
});

/** Runs `fn` with `span` active, without a global context manager: bridgeScopesToActiveSpan reads the API. */
function withActive(span: ReturnType<typeof tracer.startSpan>, fn: () => void): void {
  const original = trace.getActiveSpan;
  trace.getActiveSpan = () => span;
  try {
    fn();
  } finally {
    trace.getActiveSpan = original;
  }
}
