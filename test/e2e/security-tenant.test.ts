// Tenant propagation over the real wire. The support service names the company of the API key (setUserContext)
// and calls two hosts: the helpdesk webhook, a downstream service under the bootstrap on 127.0.0.1 (a baggage
// target by default) that accepts baggage from 127.0.0.1 (TELEMETRY_BAGGAGE_ACCEPT_FROM), and an
// OpenAI-compatible model reached as `api.openai.com` (a third party, resolved to loopback by a test preload).
// `tenant.id` reaches the helpdesk, which records it as `tenant.received_id`; the model never gets it, and gets
// trace headers only as TELEMETRY_PROPAGATION_TARGETS says. A `tenant.id` from a peer the downstream does not
// list never reaches a span, and a caller's claim never replaces the authenticated company on the way out.
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  request,
  startApp,
  startOtlpReceiver,
  useKitCleanup,
  type OtlpReceiver,
} from '../kit/index.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fixtures/openai-server.js';
import { startFakeWebhook } from '../fixtures/webhook-server.js';
import { KEY_001, ingestOk, ingestTrace, only, type IngestAnswer } from './support-helpers.js';
import { baggageOf, startSupportService } from './security-support.js';

useKitCleanup();

const DOWNSTREAM = 'test/fixtures/security-downstream-app.mjs';
// Urgent and angry: escalated (high_priority) whatever the model answers, so the webhook is always called.
const ANGRY = 'This is unacceptable, my package is late and I need it urgently!';
const TRACE_HEADERS = ['traceparent', 'tracestate', 'sentry-trace'] as const;

async function startDownstream(env: Record<string, string> = {}): Promise<{ url: string; otlp: OtlpReceiver }> {
  const otlp = closeAfterTest(await startOtlpReceiver());
  const app = await startApp(DOWNSTREAM, {
    env: {
      OTEL_SERVICE_NAME: 'helpdesk',
      SENTRY_TRACES_SAMPLE_RATE: '1',
      TELEMETRY_EXPORTERS: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ...env,
    },
  });
  return { url: app.url, otlp };
}

interface Run {
  model: FakeOpenAi;
  helpdesk: { url: string; otlp: OtlpReceiver };
  supportOtlp: OtlpReceiver;
  traceId: string;
}

/** One escalated ingest through the model (as api.openai.com) and the helpdesk under the bootstrap. */
async function escalatedIngest(env: Record<string, string>): Promise<Run> {
  const model = closeAfterTest(await startFakeOpenAi());
  const helpdesk = await startDownstream({ TELEMETRY_BAGGAGE_ACCEPT_FROM: '127.0.0.1' });
  const supportOtlp = closeAfterTest(await startOtlpReceiver());
  const port = new URL(model.baseUrl).port;
  const app = await startSupportService({
    TELEMETRY_EXPORTERS: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: supportOtlp.url,
    OPENAI_API_KEY: 'sk-test-not-a-real-key',
    OPENAI_BASE_URL: `http://api.openai.com:${port}/v1`,
    OPENAI_MAX_RETRIES: '0',
    ESCALATION_WEBHOOK_URL: `${helpdesk.url}/helpdesk/escalations`,
    ...env,
  });
  const answer = await ingestOk(app, KEY_001, { channel: 'web', text: ANGRY, external_user_id: 'web-tenant' });
  expect(answer).toMatchObject({ escalated: true });
  expect(model.requests).toHaveLength(1);
  expect(model.requests[0]!.record.headers.host).toBe(`api.openai.com:${port}`);
  const trace = await ingestTrace(supportOtlp, answer.ticket_id);
  const workflow = only(trace, (s) => s.name === 'invoke_workflow support_pipeline', 'workflow span');
  expect(workflow.attributes).toMatchObject({ 'support.escalation_delivered': true, 'tenant.id': 'empresa_001' });
  return { model, helpdesk, supportOtlp, traceId: workflow.traceId };
}

async function helpdeskServerSpan(run: Run) {
  const spans = await run.helpdesk.otlp.waitForSpans((s) => s.traceId === run.traceId, 15_000, 2);
  return {
    server: only(spans, (s) => s.kindName === 'server', 'helpdesk server span'),
    child: only(spans, (s) => s.name === 'handle delivery', 'helpdesk child span'),
  };
}

describe('tenant.id in W3C baggage', () => {
  it('default targets: the helpdesk records tenant.id as tenant.received_id; api.openai.com gets trace headers but no tenant.id', async () => {
    const run = await escalatedIngest({});
    const { server, child } = await helpdeskServerSpan(run);
    expect(server.resource['service.name']).toBe('helpdesk');
    // A claim from its caller, recorded under its own name: the helpdesk authenticated no one.
    for (const span of [server, child]) {
      expect(span.attributes['tenant.received_id']).toBe('empresa_001');
      expect(span.attributes['tenant.id']).toBeUndefined();
    }
    expect(child.parentSpanId).toBe(server.spanId);

    const toModel = run.model.requests[0]!.record.headers;
    // Every URL is a propagation target by default: trace headers and the sentry-* DSC go to the model...
    for (const name of TRACE_HEADERS.filter((n) => n !== 'tracestate')) expect(toModel[name], name).toBeDefined();
    expect(toModel.traceparent).toContain(run.traceId);
    const modelBaggage = baggageOf(toModel);
    expect(modelBaggage['sentry-trace_id']).toBe(run.traceId);
    // ...but no other baggage entry, and the company id nowhere in any header.
    expect(Object.keys(modelBaggage).filter((key) => !key.startsWith('sentry-'))).toEqual([]);
    expect(JSON.stringify(toModel)).not.toContain('empresa_001');
  });

  it('TELEMETRY_PROPAGATION_TARGETS=127.0.0.1: the model gets no trace header and no baggage; the helpdesk gets both', async () => {
    const run = await escalatedIngest({ TELEMETRY_PROPAGATION_TARGETS: '127.0.0.1' });
    const toModel = run.model.requests[0]!.record.headers;
    for (const name of [...TRACE_HEADERS, 'baggage']) expect(toModel[name], name).toBeUndefined();
    const { server } = await helpdeskServerSpan(run);
    // The helpdesk continued the support service's trace and read the tenant from its baggage.
    expect(server.traceId).toBe(run.traceId);
    expect(server.attributes['tenant.received_id']).toBe('empresa_001');
  });

  it('TELEMETRY_BAGGAGE_TARGETS without the helpdesk: it still continues the trace but gets no tenant.id', async () => {
    const run = await escalatedIngest({ TELEMETRY_BAGGAGE_TARGETS: 'tenant-aware.internal' });
    const { server } = await helpdeskServerSpan(run);
    expect(server.traceId).toBe(run.traceId);
    expect(server.attributes['tenant.received_id']).toBeUndefined();
    expect(server.attributes['tenant.id']).toBeUndefined();
  });

  it('a tenant.id from a peer not in TELEMETRY_BAGGAGE_ACCEPT_FROM lands on no span; a listed peer’s is recorded as a claim', async () => {
    // The downstream accepts baggage from 127.0.0.1 only; 127.0.0.2 is another loopback address, another peer.
    const helpdesk = await startDownstream({ TELEMETRY_BAGGAGE_ACCEPT_FROM: '127.0.0.1' });
    const spoofer = new http.Agent({ localAddress: '127.0.0.2' });
    try {
      const spoofed = await request(`${helpdesk.url}/helpdesk/escalations?who=spoofer`, {
        method: 'POST',
        body: { escalation_id: 1 },
        headers: { baggage: 'tenant.id=empresa_002,other.key=x' },
        agent: spoofer,
      });
      expect(spoofed.status).toBe(202);
      expect((spoofed.json as { baggage: object }).baggage).toEqual({});
    } finally {
      spoofer.destroy();
    }
    const allowed = await request(`${helpdesk.url}/helpdesk/escalations?who=peer`, {
      method: 'POST',
      body: { escalation_id: 2 },
      headers: { baggage: 'tenant.id=empresa_001,other.key=x' },
    });
    // The app sees the peer's other entries; the tenant claim is the layer's to record, not baggage to pass on.
    expect((allowed.json as { baggage: object }).baggage).toEqual({ 'other.key': 'x' });

    const servers = await helpdesk.otlp.waitForSpans((s) => s.kindName === 'server', 15_000, 2);
    const byQuery = (who: string) =>
      only(servers, (s) => s.attributes['url.query'] === `who=${who}`, `server span of ${who}`);
    expect(byQuery('spoofer').attributes['tenant.received_id']).toBeUndefined();
    expect(byQuery('peer').attributes['tenant.received_id']).toBe('empresa_001');
    const children = await helpdesk.otlp.waitForSpans((s) => s.name === 'handle delivery', 15_000, 2);
    expect(children.map((s) => s.attributes['tenant.received_id']).toSorted()).toEqual(['empresa_001', undefined]);
    for (const span of [...servers, ...children]) expect(span.attributes['tenant.id'], span.name).toBeUndefined();
  });
});

describe('a caller cannot choose the tenant of outgoing calls', () => {
  /** An ingest authenticated as empresa_001 that also claims empresa_002 in its baggage, escalated to a webhook. */
  async function spoofedIngest(env: Record<string, string>) {
    const webhook = closeAfterTest(await startFakeWebhook());
    const otlp = closeAfterTest(await startOtlpReceiver());
    const app = await startSupportService({
      TELEMETRY_EXPORTERS: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      ESCALATION_WEBHOOK_URL: webhook.url,
      ...env,
    });
    const response = await request(`${app.url}/api/ingest-message`, {
      method: 'POST',
      headers: { 'x-api-key': KEY_001, baggage: 'tenant.id=empresa_002,region=eu-west' },
      body: { channel: 'web', text: ANGRY, external_user_id: 'web-spoof' },
    });
    expect(response.status, response.text).toBe(200);
    const answer = response.json as IngestAnswer;
    const [delivery] = await webhook.waitForDeliveries(() => true);
    const trace = await ingestTrace(otlp, answer.ticket_id);
    return {
      toWebhook: baggageOf(delivery!.record.headers),
      trace,
      server: only(trace, (s) => s.kindName === 'server', 'server span'),
    };
  }

  it('by default the authenticated company replaces the claimed one, and no peer is trusted: the claim is dropped', async () => {
    const { toWebhook, trace, server } = await spoofedIngest({});
    expect(toWebhook['tenant.id']).toBe('empresa_001');
    // Nothing the caller sent in baggage is accepted from it, so nothing of it travels on.
    expect(toWebhook.region).toBeUndefined();
    expect(server.attributes['tenant.id']).toBe('empresa_001');
    for (const span of trace) {
      expect(span.attributes['tenant.id'] ?? 'empresa_001', span.name).toBe('empresa_001');
      expect(span.attributes['tenant.received_id'], span.name).toBeUndefined();
    }
  });

  it('TELEMETRY_BAGGAGE_ACCEPT_FROM=127.0.0.1: the claim is recorded as tenant.received_id, never as tenant.id, and never sent on', async () => {
    const { toWebhook, trace, server } = await spoofedIngest({ TELEMETRY_BAGGAGE_ACCEPT_FROM: '127.0.0.1' });
    expect(toWebhook['tenant.id']).toBe('empresa_001');
    // The peer's other entries are accepted and travel on to baggage targets.
    expect(toWebhook.region).toBe('eu-west');
    expect(server.attributes).toMatchObject({ 'tenant.id': 'empresa_001', 'tenant.received_id': 'empresa_002' });
    for (const span of trace) expect(span.attributes['tenant.id'] ?? 'empresa_001', span.name).toBe('empresa_001');
  });
});
