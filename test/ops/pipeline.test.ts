// The live pipeline on the real Collector: an agent load-balancing by trace id over two gateways, which filter,
// redact, count (span_metrics + count, before sampling), tail-sample and export to a fake Sentry (OTLP/HTTP
// protobuf) and to an OTLP/gRPC receiver standing in for Jaeger. Spans are sent by the OpenTelemetry OTLP
// exporter from this test, shaped as the support service emits them: baseline requests, error traces, slow
// traces, escalations, low-confidence answers, health checks, and seeded secrets. The alert rules are then
// evaluated by promtool over metrics scraped from the gateways around a scripted incident.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { stringify } from 'yaml';
import type { FakeSentry, OtlpGrpcReceiver, ReceivedSpan } from '../kit/index.js';
import { collectorDir } from './binaries.js';
import { promtoolSeries, sumOf, type Sample } from './prometheus-text.js';
import { startOpsStack, type OpsStack } from './stack.js';

const otelcol = inject('otelcolBin');
const promtool = inject('promtoolBin');

const SERVICE = 'support-api';
const CALLS = 'traces_span_metrics_calls_total';
const DURATION_BUCKET = 'traces_span_metrics_duration_milliseconds_bucket';
// Business counters: span_metrics series of the workflow spans, labelled by gateway.yaml's transform/business.
const lowConfidence = (samples: readonly Sample[]): number => sumOf(samples, CALLS, { support_confidence_band: 'low' });
const responses = (samples: readonly Sample[]): number =>
  lowConfidence(samples) + sumOf(samples, CALLS, { support_confidence_band: 'ok' });
const escalationFailures = (samples: readonly Sample[]): number =>
  sumOf(samples, CALLS, { support_escalation_failed: 'true' });

// Seeded secrets: none of these strings may reach a backend.
const SECRETS = {
  bearer: 'Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig',
  cookie: 'session=7f3a9c0d1e2b; csrftoken=abcdef123456',
  apiKey: 'dev-key-empresa-001',
  email: 'ana.souza@example.com',
  openaiKey: 'sk-proj-A1b2C3d4E5f6G7h8I9j0K1l2',
  prompt: 'My card 4111 1111 1111 1111 was charged twice',
  completion: 'I refunded the charge on card 4111',
  password: 'hunter2-db-password',
  queryKey: 'QUERYSECRET987',
  cmdSecret: 'CMDLINE-SECRET-42',
};

interface SentTrace {
  kind: 'baseline' | 'error' | 'slow' | 'escalated' | 'low_confidence' | 'health' | 'secrets' | 'escalation_failed';
  traceId: string;
  spanIds: string[];
}

interface RequestShape {
  kind: SentTrace['kind'];
  durationMs?: number;
  status?: number;
  confidence?: number;
  escalated?: boolean;
  tenant?: string;
  escalationFailed?: boolean;
  extraAttributes?: Attributes;
  /** Leave the root span open (exported later by releaseHeldRoots): the trace reaches the agent in two parts. */
  holdRoot?: boolean;
}

class Driver {
  readonly sent: SentTrace[] = [];
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly heldRoots: Span[] = [];

  constructor(agentHttpPort: number) {
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': SERVICE,
        'process.command_args': ['node', 'dist/src/support/main.js', `--openai-key=${SECRETS.cmdSecret}`],
      }),
      spanProcessors: [
        new BatchSpanProcessor(new OTLPTraceExporter({ url: `http://127.0.0.1:${agentHttpPort}/v1/traces` }), {
          maxQueueSize: 100_000,
          maxExportBatchSize: 256,
          scheduledDelayMillis: 200,
        }),
      ],
    });
    this.tracer = this.provider.getTracer('ops-pipeline-test');
  }

  private child(parent: Span, name: string, kind: SpanKind, start: number, end: number, attributes: Attributes): Span {
    const span = this.tracer.startSpan(
      name,
      { kind, attributes, startTime: start },
      trace.setSpan(context.active(), parent),
    );
    span.end(end);
    return span;
  }

  /** One ingest request as the support service traces it: server span -> workflow -> agents -> chat. */
  ingest(shape: RequestShape): SentTrace {
    const end = Date.now();
    const duration = shape.durationMs ?? 120;
    const start = end - duration;
    const status = shape.status ?? 200;
    const tenant = shape.tenant ?? 'empresa_001';
    const root = this.tracer.startSpan('POST /api/ingest-message', {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/api/ingest-message',
        'url.path': '/api/ingest-message',
        'url.scheme': 'http',
        'http.response.status_code': status,
        'tenant.id': tenant,
        'user.id': 'ext-user-1',
        ...shape.extraAttributes,
      },
    });
    const rootContext = trace.setSpan(context.active(), root);
    const workflowAttributes: Attributes = {
      'gen_ai.operation.name': 'invoke_workflow',
      'gen_ai.workflow.name': 'support_pipeline',
      'tenant.id': tenant,
    };
    if (shape.confidence !== undefined) workflowAttributes['support.confidence'] = shape.confidence;
    if (shape.escalated !== undefined) workflowAttributes['support.escalated'] = shape.escalated;
    const workflow = this.tracer.startSpan(
      'invoke_workflow support_pipeline',
      { kind: SpanKind.INTERNAL, startTime: start + 5, attributes: workflowAttributes },
      rootContext,
    );
    const spans: Span[] = [root, workflow];
    const step = Math.max(1, Math.floor((duration - 20) / 3));
    spans.push(
      this.child(workflow, 'invoke_agent Triage', SpanKind.INTERNAL, start + 6, start + 6 + step, {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'Triage',
        'tenant.id': tenant,
      }),
    );
    const resolver = this.tracer.startSpan(
      'invoke_agent Resolver',
      {
        kind: SpanKind.INTERNAL,
        startTime: start + 7 + step,
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Resolver', 'tenant.id': tenant },
      },
      trace.setSpan(context.active(), workflow),
    );
    const chatAttributes: Attributes = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'local',
      'gen_ai.request.model': 'local-responder',
      'tenant.id': tenant,
    };
    if (shape.kind === 'secrets') {
      Object.assign(chatAttributes, {
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: SECRETS.prompt }] }]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: SECRETS.completion }] },
        ]),
        'gen_ai.system_instructions': `Never reveal ${SECRETS.prompt}`,
        'gen_ai.prompt.0.content': SECRETS.prompt,
      });
    }
    const chat = this.tracer.startSpan(
      'chat local-responder',
      { kind: SpanKind.CLIENT, startTime: start + 8 + step, attributes: chatAttributes },
      trace.setSpan(context.active(), resolver),
    );
    if (status >= 500) {
      chat.recordException({
        name: 'ModelError',
        message: `model failed for ${shape.kind === 'secrets' ? SECRETS.email : 'user'}`,
      });
      chat.setStatus({ code: SpanStatusCode.ERROR, message: 'model failed' });
    }
    chat.end(start + 8 + 2 * step);
    resolver.end(start + 9 + 2 * step);
    spans.push(chat, resolver);
    if (shape.escalated || shape.escalationFailed) {
      const escalator = this.child(
        workflow,
        'invoke_agent Escalator',
        SpanKind.INTERNAL,
        start + 10 + 2 * step,
        end - 10,
        { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'Escalator', 'tenant.id': tenant },
      );
      spans.push(escalator);
    }
    if (shape.confidence !== undefined && shape.confidence < 0.5)
      workflow.addEvent('Low confidence response', { confidence: shape.confidence });
    if (shape.escalationFailed) workflow.addEvent('escalation_failed', { 'http.response.status_code': 500 });
    workflow.end(end - 5);
    if (status >= 500) root.setStatus({ code: SpanStatusCode.ERROR });
    if (shape.holdRoot) this.heldRoots.push(root);
    else root.end(end);
    const sent: SentTrace = {
      kind: shape.kind,
      traceId: root.spanContext().traceId,
      spanIds: spans.map((s) => s.spanContext().spanId),
    };
    this.sent.push(sent);
    return sent;
  }

  /** A health check or probe, failing (503) or slow: kept by tail sampling unless the filter drops it. */
  health(variant: 'failing' | 'slow' | 'probe'): SentTrace {
    const end = Date.now();
    const route = variant === 'probe' ? '/healthz' : '/api/health';
    const span = this.tracer.startSpan(`GET ${route}`, {
      kind: SpanKind.SERVER,
      startTime: end - (variant === 'slow' ? 3000 : 5),
      attributes: {
        'http.request.method': 'GET',
        'http.route': route,
        'url.path': route,
        'http.response.status_code': variant === 'failing' ? 503 : 200,
        ...(variant === 'probe' ? { 'user_agent.original': 'kube-probe/1.31' } : {}),
      },
    });
    if (variant === 'failing') span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(end);
    const sent: SentTrace = {
      kind: 'health',
      traceId: span.spanContext().traceId,
      spanIds: [span.spanContext().spanId],
    };
    this.sent.push(sent);
    return sent;
  }

  releaseHeldRoots(): void {
    for (const root of this.heldRoots.splice(0)) root.end();
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

/** The quiet traffic of one phase: ordinary requests with a few errors, slow requests and escalations. */
function quietPhase(driver: Driver, withSecrets: boolean): void {
  for (let i = 0; i < 150; i += 1)
    driver.ingest({
      kind: 'baseline',
      confidence: 0.9,
      escalated: false,
      tenant: i % 2 ? 'empresa_001' : 'empresa_002',
    });
  // Enough errors and low-confidence answers that both gateways' series exist before the incident: a counter's
  // first sample shows no increase to Prometheus, as in production before a series has history.
  for (let i = 0; i < 8; i += 1) driver.ingest({ kind: 'error', status: 500 });
  for (let i = 0; i < 2; i += 1) driver.ingest({ kind: 'slow', durationMs: 3000, confidence: 0.9, escalated: false });
  for (let i = 0; i < 2; i += 1) driver.ingest({ kind: 'escalated', confidence: 0.7, escalated: true });
  for (let i = 0; i < 10; i += 1) driver.ingest({ kind: 'low_confidence', confidence: 0.3, escalated: false });
  driver.health('failing');
  driver.health('slow');
  driver.health('probe');
  if (withSecrets) {
    driver.ingest({
      kind: 'secrets',
      status: 500,
      extraAttributes: {
        'http.request.header.authorization': [SECRETS.bearer],
        'http.request.header.cookie': [SECRETS.cookie],
        'http.request.header.x-api-key': [SECRETS.apiKey],
        'user.email': SECRETS.email,
        'url.full': `http://127.0.0.1:8000/api/ingest-message?api_key=${SECRETS.queryKey}&lang=pt`,
        'app.note': `forwarded by ${SECRETS.email} using ${SECRETS.openaiKey}`,
        'db.connection_password': SECRETS.password,
      },
    });
  }
}

let stack: OpsStack;
let sentry: FakeSentry;
let jaeger: OtlpGrpcReceiver;
let driver: Driver;

function spansOf(received: readonly ReceivedSpan[], traceId: string): Set<string> {
  return new Set(received.filter((s) => s.traceId === traceId).map((s) => s.spanId));
}

function complete(received: readonly ReceivedSpan[], sent: SentTrace): boolean {
  const got = spansOf(received, sent.traceId);
  return sent.spanIds.every((id) => got.has(id));
}

/** Scrapes until the gateways' counters account for everything sent so far (metrics are flushed every second). */
async function settledMetrics(wanted: {
  serverCalls: number;
  responses: number;
  escalationFailures: number;
}): Promise<Sample[]> {
  const deadline = Date.now() + 45_000;
  let last: Sample[] = [];
  for (;;) {
    last = await stack.scrapeAll();
    const calls = sumOf(last, CALLS, { span_kind: 'SPAN_KIND_SERVER' });
    const answered = responses(last);
    const failures = escalationFailures(last);
    if (calls === wanted.serverCalls && answered === wanted.responses && failures === wanted.escalationFailures)
      return last;
    if (Date.now() > deadline) {
      throw new Error(
        `metrics did not settle: server calls ${calls}/${wanted.serverCalls}, responses ${answered}/${wanted.responses}, ` +
          `escalation failures ${failures}/${wanted.escalationFailures}; names: ${[...new Set(last.map((s) => s.name))].join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function expectedCounts(sent: readonly SentTrace[]): {
  serverCalls: number;
  responses: number;
  escalationFailures: number;
} {
  const requests = sent.filter((t) => t.kind !== 'health');
  return {
    serverCalls: requests.length,
    responses: requests.filter((t) => !['error', 'secrets'].includes(t.kind)).length,
    escalationFailures: requests.filter((t) => t.kind === 'escalation_failed').length,
  };
}

/** Waits until every trace that tail sampling must keep arrived whole at both backends. */
async function waitForKept(traces: readonly SentTrace[]): Promise<void> {
  const kept = traces.filter((t) => t.kind !== 'baseline' && t.kind !== 'health');
  await sentry
    .waitForSpans(() => kept.every((t) => complete(sentry.spans, t)), 60_000)
    .catch((error: Error) => {
      const missing = kept.filter((t) => !complete(sentry.spans, t)).map((t) => `${t.kind} ${t.traceId}`);
      throw new Error(`${error.message}\nincomplete at Sentry: ${missing.join(', ')}\n${stack.logs()}`);
    });
  await jaeger.waitForSpans(() => kept.every((t) => complete(jaeger.spans, t)), 30_000);
}

const phaseScrapes: Sample[][] = [];

describe('agent -> two gateways -> Sentry + Jaeger stand-in, on the real Collector', () => {
  beforeAll(async () => {
    stack = await startOpsStack(otelcol);
    ({ sentry, jaeger } = stack);
    driver = new Driver(stack.agentHttpPort);
  });

  afterAll(async () => {
    await driver?.shutdown().catch(() => undefined);
    await stack?.stop();
  });

  it('phase A: keeps every error, slow, escalated and low-confidence trace whole, samples the baseline, drops health checks', async () => {
    quietPhase(driver, true);
    // The last error trace reaches the agent in two exports: its children first, its root after them.
    const marker = driver.ingest({ kind: 'error', status: 500, holdRoot: true });
    await driver.flush();
    await new Promise((resolve) => setTimeout(resolve, 500));
    driver.releaseHeldRoots();
    await driver.flush();
    await waitForKept(driver.sent);
    expect(complete(sentry.spans, marker)).toBe(true);

    const sentryTraces = new Set(sentry.spans.map((s) => s.traceId));
    const jaegerTraces = new Set(jaeger.spans.map((s) => s.traceId));
    expect([...jaegerTraces].sort(), 'Sentry and Jaeger get the same traces').toEqual([...sentryTraces].sort());

    // Tail sampling is per trace: whatever is delivered is delivered whole.
    for (const sent of driver.sent.filter((t) => sentryTraces.has(t.traceId))) {
      expect(spansOf(sentry.spans, sent.traceId), `${sent.kind} trace ${sent.traceId} at Sentry`).toEqual(
        new Set(sent.spanIds),
      );
      expect(spansOf(jaeger.spans, sent.traceId), `${sent.kind} trace ${sent.traceId} at Jaeger`).toEqual(
        new Set(sent.spanIds),
      );
    }
    const baseline = driver.sent.filter((t) => t.kind === 'baseline');
    const keptBaseline = baseline.filter((t) => sentryTraces.has(t.traceId)).length;
    process.stderr.write(`[ops] baseline: ${keptBaseline} of ${baseline.length} ordinary traces kept at 10%\n`);
    expect(keptBaseline).toBeGreaterThan(0);
    expect(keptBaseline).toBeLessThan(baseline.length * 0.4);

    // Health checks: failing (error) and slow ones would be kept by tail sampling; the filter drops them first.
    for (const health of driver.sent.filter((t) => t.kind === 'health')) {
      expect(sentryTraces.has(health.traceId), `health check trace ${health.traceId}`).toBe(false);
      expect(jaegerTraces.has(health.traceId)).toBe(false);
    }
    for (const span of [...sentry.spans, ...jaeger.spans]) {
      expect(String(span.attributes['url.path'] ?? '')).not.toMatch(/health/);
    }
  });

  it('phase A: Sentry receives gzip OTLP protobuf with the X-Sentry-Auth header', () => {
    const otlp = sentry.requests.filter((r) => r.endpoint === 'otlp');
    expect(otlp.length).toBeGreaterThan(0);
    for (const request of otlp) {
      expect(request.method).toBe('POST');
      expect(request.contentType).toBe('application/x-protobuf');
      expect(request.encoding).toBe('gzip');
      expect(request.headers['x-sentry-auth']).toBe(sentry.otlpTracesHeaders['X-Sentry-Auth']);
      expect(request.authorized).toBe(true);
      // A request still in flight has no status yet; every answered one was accepted.
      if (request.status !== undefined) expect(request.status).toBe(200);
    }
    expect(otlp.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(Object.values(sentry.rejected).every((count) => count === 0)).toBe(true);
    expect(sentry.spans.every((s) => s.encoding === 'protobuf')).toBe(true);
    expect(jaeger.requests.length).toBeGreaterThan(0);
  });

  it('phase A: redacts credentials, cookies, API keys, emails and GenAI message contents before export', () => {
    const everything = JSON.stringify([...sentry.spans, ...jaeger.spans], (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : Buffer.isBuffer(value) ? value.toString('hex') : value,
    );
    for (const [name, secret] of Object.entries(SECRETS))
      expect(everything.includes(secret), `secret ${name} leaked`).toBe(false);

    const seeded = driver.sent.find((t) => t.kind === 'secrets')!;
    for (const received of [sentry.spans, jaeger.spans]) {
      const spans = received.filter((s) => s.traceId === seeded.traceId);
      const root = spans.find((s) => s.name === 'POST /api/ingest-message')!;
      expect(root, 'the seeded error trace was delivered').toBeDefined();
      expect(root.attributes).not.toHaveProperty('http.request.header.authorization');
      expect(root.attributes).not.toHaveProperty('http.request.header.cookie');
      expect(root.attributes).not.toHaveProperty('http.request.header.x-api-key');
      expect(root.attributes['user.email']).toBe('[REDACTED_EMAIL]');
      expect(root.attributes['url.full']).toBe('http://127.0.0.1:8000/api/ingest-message?api_key=[REDACTED]&lang=pt');
      expect(root.attributes['app.note']).toBe('forwarded by [REDACTED_EMAIL] using [REDACTED_API_KEY]');
      expect(root.attributes['db.connection_password']).not.toBe(SECRETS.password);
      // What operators need stays.
      expect(root.attributes['http.route']).toBe('/api/ingest-message');
      expect(root.attributes['tenant.id']).toBe('empresa_001');
      expect(root.resource['service.name']).toBe(SERVICE);
      expect(root.resource).not.toHaveProperty('process.command_args');
      const chat = spans.find((s) => s.name === 'chat local-responder')!;
      for (const key of [
        'gen_ai.input.messages',
        'gen_ai.output.messages',
        'gen_ai.system_instructions',
        'gen_ai.prompt.0.content',
      ]) {
        expect(chat.attributes, key).not.toHaveProperty(key);
      }
      expect(chat.attributes['gen_ai.request.model']).toBe('local-responder');
      const exception = chat.events.find((e) => e.name === 'exception');
      expect(String(exception?.attributes['exception.message'])).toBe('model failed for [REDACTED_EMAIL]');
    }
  });

  it('phase A: exposes RED metrics from both gateways, counted before sampling, without health checks', async () => {
    const samples = await settledMetrics(expectedCounts(driver.sent));
    phaseScrapes.push(samples);
    const ingest = { span_kind: 'SPAN_KIND_SERVER', http_route: '/api/ingest-message' };
    expect(sumOf(samples, CALLS, ingest)).toBe(expectedCounts(driver.sent).serverCalls);
    for (const gateway of ['gateway-1', 'gateway-2']) {
      expect(sumOf(samples, CALLS, { ...ingest, gateway }), `${gateway} took part`).toBeGreaterThan(0);
    }
    expect(sumOf(samples, CALLS, { ...ingest, status_code: 'STATUS_CODE_ERROR' })).toBe(
      driver.sent.filter((t) => t.kind === 'error' || t.kind === 'secrets').length,
    );
    expect(sumOf(samples, CALLS, { span_kind: 'SPAN_KIND_SERVER', tenant_id: 'empresa_002' })).toBe(75);
    expect(sumOf(samples, CALLS, { gen_ai_agent_name: 'Resolver' })).toBe(expectedCounts(driver.sent).serverCalls);
    expect(samples.some((s) => s.name === DURATION_BUCKET && s.labels['le'] === '5000')).toBe(true);
    expect(samples.filter((s) => s.labels['http_route']?.includes('health'))).toEqual([]);
    expect(lowConfidence(samples)).toBe(10);
    expect(escalationFailures(samples)).toBe(0);
  });

  it('alert rules stay quiet on ordinary traffic and fire on a scripted incident (promtool over scraped metrics)', async () => {
    // Phase B: the same quiet traffic again, so the quiet window holds a real per-minute increase.
    quietPhase(driver, false);
    await driver.flush();
    phaseScrapes.push(await settledMetrics(expectedCounts(driver.sent)));
    // Phase C, the incident: a burst of errors, slow requests, mostly low-confidence answers, a failed escalation.
    for (let i = 0; i < 80; i += 1) driver.ingest({ kind: 'error', status: 500 });
    for (let i = 0; i < 20; i += 1)
      driver.ingest({ kind: 'slow', durationMs: 6000, confidence: 0.9, escalated: false });
    for (let i = 0; i < 15; i += 1) driver.ingest({ kind: 'low_confidence', confidence: 0.2, escalated: false });
    for (let i = 0; i < 4; i += 1) driver.ingest({ kind: 'baseline', confidence: 0.9, escalated: false });
    driver.ingest({ kind: 'escalation_failed', confidence: 0.6, escalated: true, escalationFailed: true });
    await driver.flush();
    phaseScrapes.push(await settledMetrics(expectedCounts(driver.sent)));

    // Each scrape stands for one stretch of minutes: A for 0-5m, B for 6-11m, C from 12m on.
    expect(escalationFailures(phaseScrapes[2]!)).toBe(1);
    const relevant = new Set([CALLS, DURATION_BUCKET]);
    const series = promtoolSeries(phaseScrapes, [6, 6, 12], (name) => relevant.has(name));
    const runbook = 'docs/operations.md#alerts';
    const quiet = (alertname: string) => ({ eval_time: '9m', alertname, exp_alerts: [] });
    const firing = (alertname: string, labels: Record<string, string>, summary: string, at = '15m') => ({
      eval_time: at,
      alertname,
      exp_alerts: [{ exp_labels: labels, exp_annotations: { summary, runbook } }],
    });
    const testFile = {
      rule_files: [path.join(collectorDir, 'alerts.yml')],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: series,
          alert_rule_test: [
            quiet('SupportHighErrorRate'),
            quiet('SupportHighLatencyP95'),
            quiet('SupportEscalationFailed'),
            quiet('SupportLowConfidenceResponses'),
            // 5-minute windows see the incident at 15m; the 10-minute window of the ratio (with `for: 1m`) at 16m.
            firing(
              'SupportHighErrorRate',
              { severity: 'critical', service_name: SERVICE },
              `${SERVICE}: more than 10 failed requests per minute`,
            ),
            firing(
              'SupportHighLatencyP95',
              { severity: 'warning', service_name: SERVICE },
              `${SERVICE}: P95 request duration above 5 s`,
            ),
            firing(
              'SupportEscalationFailed',
              { severity: 'critical' },
              'Escalation to the helpdesk failed (escalation_failed); tickets are queued for retry',
            ),
            firing(
              'SupportLowConfidenceResponses',
              { severity: 'warning' },
              'More than 25% of support responses have confidence < 0.5',
              '16m',
            ),
          ],
        },
      ],
    };
    const dir = mkdtempSync(path.join(tmpdir(), 'osb-alerts-live-'));
    const file = path.join(dir, 'live.test.yml');
    writeFileSync(file, stringify(testFile));
    const result = spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status, `promtool test rules ${file}:\n${output}`).toBe(0);
    expect(output).toMatch(/SUCCESS/);

    // The incident's error traces reached Sentry whole, as did the failed escalation.
    await waitForKept(driver.sent);
  });
  it('a Sentry outage (503, then 429 with Retry-After) is retried by the gateways: kept traces arrive after it, Jaeger is unaffected', async () => {
    await sentry.setFault({ mode: '503' });
    const during: SentTrace[] = [];
    for (let i = 0; i < 6; i += 1) during.push(driver.ingest({ kind: 'error', status: 500 }));
    await driver.flush();
    await jaeger.waitForSpans(() => during.every((t) => complete(jaeger.spans, t)), 30_000);
    await sentry.waitForRequests((r) => r.endpoint === 'otlp' && r.fault === '503', 30_000);
    await sentry.setFault({ mode: '429', retryAfterSeconds: 1 });
    await sentry.waitForRequests((r) => r.endpoint === 'otlp' && r.fault === '429', 30_000);
    expect(during.some((t) => complete(sentry.spans, t))).toBe(false);
    await sentry.setFault({ mode: 'ok' });
    await sentry.waitForSpans(() => during.every((t) => complete(sentry.spans, t)), 60_000);
    for (const sent of during) expect(spansOf(sentry.spans, sent.traceId)).toEqual(new Set(sent.spanIds));
  });
});
