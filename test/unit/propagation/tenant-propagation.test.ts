/**
 * The company id as W3C baggage: inject() sends `tenant.id` from the Sentry scope and from nothing else; an
 * incoming `tenant.id` is a claim, accepted only from a peer in baggageAcceptFrom and recorded on the request's
 * spans as `tenant.received_id`, never as `tenant.id`.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  trace,
  type Context,
} from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { withScope } from '@sentry/core';
import { describe, expect, it } from 'vitest';
import { createPropagator } from '../../../src/telemetry/propagation/propagator.js';
import { createSampler } from '../../../src/telemetry/sampling/sampler.js';
import { peerMatcher } from '../../../src/telemetry/config/baggage-peers.js';
import { registerPeer, setOutgoingPermission } from '../../../src/telemetry/propagation/targets.js';
import { bridgeScopesToActiveSpan, createScopeBridgeProcessor } from '../../../src/telemetry/scopes/scope-to-span.js';
import { ATTR_TENANT_RECEIVED_ID, TENANT_BAGGAGE_KEY } from '../../../src/telemetry/scopes/tenant.js';
import { makeConfig } from '../sampling/sampling-harness.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';
// The harness accepts baggage from 127.0.0.1; the layer's own default (no peer) is `strict`.
const config = makeConfig();
const propagator = createPropagator(config);
const strict = createPropagator(makeConfig({ baggageAcceptFrom: [] }));
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

  it("sends the scope's company in place of a tenant.id the incoming baggage or the caller's header named", () => {
    registerPeerHeaders({ baggage: 'tenant.id=upstream,region=eu' }, '127.0.0.1', (incoming) => {
      withScope((scope) => {
        scope.setUser({ company_id: 'empresa_001' });
        const carrier: Record<string, string> = {};
        expect(tenantsSent(clientContext(incoming), carrier)).toEqual(['empresa_001']);
        // The allowed peer's other entries travel on.
        expect(baggageEntries(carrier)).toContainEqual(['region', 'eu']);
        expect(tenantsSent(clientContext(), { baggage: 'tenant.id=caller,other=1' })).toEqual(['empresa_001']);
      });
    });
  });

  it("without a scope company never sends an incoming tenant.id on; the app's own header or baggage still goes", () => {
    registerPeerHeaders({ baggage: 'tenant.id=upstream' }, '127.0.0.1', (incoming) => {
      withScope(() => {
        expect(propagation.getBaggage(incoming)).toBeUndefined();
        expect(tenantsSent(clientContext(incoming))).toEqual([]);
        expect(tenantsSent(clientContext(incoming), { baggage: 'tenant.id=caller' })).toEqual(['caller']);
        const own = propagation.setBaggage(
          incoming,
          propagation.createBaggage({ [TENANT_BAGGAGE_KEY]: { value: 'set-by-app' } }),
        );
        expect(tenantsSent(clientContext(own))).toEqual(['set-by-app']);
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
function registerPeerHeaders(
  headers: Record<string, string>,
  address: string | undefined,
  run: (context: Context) => void,
  from = propagator,
): void {
  const carrier = { traceparent: `00-${T}-${S}-01`, ...headers };
  if (address !== undefined) registerPeer(carrier, address);
  run(from.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter));
}

describe('scope bridge: an incoming tenant.id is recorded as a claim, never as the tenant', () => {
  it('records an allowed peer’s tenant.id as tenant.received_id on the server span and its children', () => {
    exporter.reset();
    registerPeerHeaders({ baggage: 'tenant.id=acme,sentry-trace_id=' + T }, '127.0.0.1', (incoming) => {
      withScope(() => {
        const server = tracer.startSpan('server', { kind: SpanKind.SERVER }, incoming);
        tracer.startSpan('child', {}, trace.setSpan(incoming, server)).end();
        server.end();
      });
    });
    for (const name of ['server', 'child']) {
      expect(finished(name).attributes[ATTR_TENANT_RECEIVED_ID]).toBe('acme');
      expect(finished(name).attributes[TENANT_BAGGAGE_KEY]).toBeUndefined();
    }
  });

  it('cuts a long claim at 256 characters', () => {
    exporter.reset();
    registerPeerHeaders({ baggage: `tenant.id=${'x'.repeat(5000)}` }, '127.0.0.1', (incoming) => {
      withScope(() => tracer.startSpan('long claim', { kind: SpanKind.SERVER }, incoming).end());
    });
    expect(finished('long claim').attributes[ATTR_TENANT_RECEIVED_ID]).toBe('x'.repeat(256));
  });

  it('drops the baggage of a peer not listed, of every peer by default, and of a carrier without a known peer', () => {
    exporter.reset();
    const cases: Array<[string, string | undefined, typeof propagator]> = [
      ['outside', '203.0.113.9', propagator],
      ['outside, mapped', '::ffff:198.51.100.7', propagator],
      ['loopback, default', '127.0.0.1', strict],
      ['private, default', '::ffff:10.0.0.3', strict],
      ['no peer', undefined, propagator],
    ];
    for (const [name, address, from] of cases) {
      registerPeerHeaders(
        { baggage: 'tenant.id=spoofed,region=eu' },
        address,
        (incoming) => {
          expect(propagation.getBaggage(incoming), name).toBeUndefined();
          withScope(() => tracer.startSpan(name, { kind: SpanKind.SERVER }, incoming).end());
        },
        from,
      );
      expect(finished(name).attributes[TENANT_BAGGAGE_KEY], name).toBeUndefined();
      expect(finished(name).attributes[ATTR_TENANT_RECEIVED_ID], name).toBeUndefined();
    }
  });

  it("tenant.id is only ever the scope's company, also when named later; an instrumentation's own stays", () => {
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
    expect(finished('before the company').attributes[TENANT_BAGGAGE_KEY]).toBeUndefined();
    expect(finished('later').attributes[TENANT_BAGGAGE_KEY]).toBe('empresa_local');
    expect(finished('scoped').attributes[TENANT_BAGGAGE_KEY]).toBe('empresa_local');
    for (const name of ['explicit', 'before the company', 'later', 'scoped']) {
      expect(finished(name).attributes[ATTR_TENANT_RECEIVED_ID], name).toBe('acme');
    }
  });
});

describe('baggageAcceptFrom: addresses and ranges, never substrings', () => {
  it('matches exact addresses and CIDR ranges, IPv4 ranges also in their IPv4-mapped IPv6 form', () => {
    const accepts = peerMatcher(['10.0.0.1', '192.168.4.0/24', '::1', 'fd00::/8']);
    for (const address of [
      '10.0.0.1',
      '::ffff:10.0.0.1',
      '192.168.4.200',
      '::ffff:192.168.4.7',
      '::1',
      'fd12:3456::1',
    ]) {
      expect(accepts(address), address).toBe(true);
    }
    for (const address of [
      '10.0.0.12',
      '110.0.0.1',
      '10.0.0.10',
      '192.168.5.1',
      '127.0.0.1',
      'fe80::1',
      '',
      'localhost',
    ]) {
      expect(accepts(address), address).toBe(false);
    }
    expect(peerMatcher([])('127.0.0.1')).toBe(false);
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
