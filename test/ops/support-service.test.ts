// The real support service (examples/support-service/dist/main.js under the bootstrap) driven through the ops pipeline:
// service -> agent -> two gateways -> fake Sentry (OTLP) + OTLP/gRPC Jaeger stand-in, with a failing helpdesk.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerPath, repoRoot, request, startApp, type AppProcess, type ReceivedSpan } from '../kit/index.js';
import { startFakeWebhook, type FakeWebhook } from '../fixtures/webhook-server.js';
import { sumOf, type Sample } from './prometheus-text.js';
import { startOpsStack, type OpsStack } from './stack.js';

const otelcol = inject('otelcolBin');
// The real Jaeger v2 where it built (the global setup says why not otherwise); else the OTLP receiver.
const jaegerBin = inject('jaegerBin');
const SERVICE = path.join(repoRoot, 'examples', 'support-service', 'dist', 'main.js');
const KEYS = ['dev-key-empresa-001', 'dev-key-empresa-002'];
// Urgent and angry: the Escalator escalates it, and the failing helpdesk makes it an escalation_failed.
const ANGRY = 'This is unacceptable, my package is late and I need it urgently!';
const CALM = 'How do I change the shipping address of my order?';

let stack: OpsStack;
let webhook: FakeWebhook;
let app: AppProcess;
let ingestRequests = 0;

async function ingest(key: string, text: string, user: string): Promise<{ escalated: boolean; ticket_id: string }> {
  ingestRequests += 1;
  const response = await request(`${app.url}/api/ingest-message`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'web', text, external_user_id: user }),
  });
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${response.text}`);
  return response.json as { escalated: boolean; ticket_id: string };
}

function treeIsWhole(spans: readonly ReceivedSpan[]): boolean {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  return roots.length === 1 && roots[0]!.kindName === 'server';
}

describe(`the support service through agent -> gateways -> Sentry + ${jaegerBin ? 'Jaeger v2' : 'a Jaeger stand-in (Jaeger v2 did not build)'}`, () => {
  beforeAll(async () => {
    if (!existsSync(SERVICE) || !existsSync(registerPath)) {
      throw new Error(`the support service is not built (${SERVICE}, ${registerPath}): run \`npm run build\` first`);
    }
    stack = await startOpsStack(otelcol, { jaegerBin });
    webhook = await startFakeWebhook();
    await webhook.setBehaviour('fail');
    app = await startApp(SERVICE, {
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'development',
        DATABASE_PATH: path.join(mkdtempSync(path.join(tmpdir(), 'osb-ops-support-')), 'support.db'),
        OTEL_SERVICE_NAME: 'support-api',
        TELEMETRY_EXPORTERS: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${stack.agentHttpPort}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        SENTRY_DSN: stack.sentry.dsn,
        SENTRY_TRACES_SAMPLE_RATE: '1',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        ESCALATION_WEBHOOK_URL: webhook.url,
        ESCALATION_RETRY_INTERVAL_MS: '600000',
      },
      timeoutMs: 30_000,
    });
  });

  afterAll(async () => {
    await app?.kill();
    await webhook?.close();
    await stack?.stop();
  });

  it('delivers the escalated trace whole and redacted, drops health checks, and counts every request', async () => {
    for (let i = 0; i < 3; i += 1) {
      const health = await request(`${app.url}/api/health`);
      expect(health.status).toBe(200);
    }
    for (let i = 0; i < 6; i += 1) await ingest(KEYS[i % 2]!, CALM, `calm-user-${i}`);
    const angry = await ingest(KEYS[0]!, ANGRY, 'angry-user');
    expect(angry.escalated).toBe(true);

    // Kept by tail sampling (support.escalated), at both backends, as one whole tree.
    const isEscalatedWorkflow = (s: ReceivedSpan): boolean =>
      s.name === 'invoke_workflow support_pipeline' && s.attributes['support.ticket_id'] === angry.ticket_id;
    const [workflow] = await stack.sentry.waitForSpans(isEscalatedWorkflow, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${stack.logs()}\n--- app stderr\n${app.stderr().slice(-3000)}`);
    });
    const traceId = workflow!.traceId;
    await stack.sentry.waitForSpans((s) => s.traceId === traceId && s.kindName === 'server', 30_000);
    const atSentry = stack.sentry.spans.filter((s) => s.traceId === traceId);
    expect(treeIsWhole(atSentry), `trace at Sentry: ${atSentry.map((s) => s.name).join(', ')}`).toBe(true);
    const sentryIds = new Set(atSentry.map((s) => s.spanId));
    if (stack.realJaeger) {
      // Jaeger v2's query API returns the same trace, span for span.
      const jaeger = stack.realJaeger;
      const deadline = Date.now() + 30_000;
      let atJaeger = await jaeger.spanIdsOf(traceId);
      while (atJaeger.size < sentryIds.size && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        atJaeger = await jaeger.spanIdsOf(traceId);
      }
      expect(atJaeger).toEqual(sentryIds);
    } else {
      await stack.jaeger.waitForSpans((s) => s.traceId === traceId && s.kindName === 'server', 30_000);
      expect(new Set(stack.jaeger.spans.filter((s) => s.traceId === traceId).map((s) => s.spanId))).toEqual(sentryIds);
    }
    expect(atSentry.map((s) => s.name)).toEqual(
      expect.arrayContaining(['invoke_agent Triage', 'invoke_agent Escalator']),
    );
    expect(workflow!.attributes['support.escalated']).toBe(true);
    expect(workflow!.events.map((e) => e.name)).toContain('escalation_failed');
    expect(workflow!.attributes['support.escalation_failed']).toBe(true);

    // No API key, no health check, and Sentry got protobuf with its auth header.
    const everything = JSON.stringify(stack.sentry.spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    for (const key of KEYS) expect(everything.includes(key), `API key ${key} leaked`).toBe(false);
    expect(stack.sentry.spans.some((s) => /health/.test(`${s.name} ${String(s.attributes['url.path'] ?? '')}`))).toBe(
      false,
    );
    const otlp = stack.sentry.requests.filter((r) => r.endpoint === 'otlp');
    expect(otlp.length).toBeGreaterThan(0);
    expect(otlp.every((r) => r.contentType === 'application/x-protobuf' && r.encoding === 'gzip' && r.authorized)).toBe(
      true,
    );

    // The escalation_failed business event also reached Sentry as a message, straight from the service.
    await stack.sentry.waitForEvents((e) => e.message === 'escalation_failed', 30_000);

    // RED metrics count every ingest request (before sampling) and the failed escalation.
    const deadline = Date.now() + 30_000;
    let samples: Sample[] = [];
    const ingestCalls = (all: Sample[]): number =>
      sumOf(all, 'traces_span_metrics_calls_total', {
        span_kind: 'SPAN_KIND_SERVER',
        http_route: '/api/ingest-message',
        service_name: 'support-api',
      });
    for (;;) {
      samples = await stack.scrapeAll();
      if (ingestCalls(samples) === ingestRequests || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(ingestCalls(samples)).toBe(ingestRequests);
    expect(sumOf(samples, 'traces_span_metrics_calls_total', { support_escalation_failed: 'true' })).toBe(1);
    expect(
      sumOf(samples, 'traces_span_metrics_calls_total', { gen_ai_agent_name: 'Resolver', tenant_id: 'empresa_002' }),
    ).toBeGreaterThan(0);
    expect(samples.filter((s) => s.labels['http_route']?.includes('health'))).toEqual([]);
  });
});
