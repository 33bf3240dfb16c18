// The logs side in-process, with the real logs and trace SDKs: what the router lets through, how a record is
// scrubbed and capped, the rate limit, GenAI content folded onto its span, Sentry's log item shape, and the
// development tree's log lines.
import { context, trace, type Context } from '@opentelemetry/api';
import { ExportResultCode, suppressTracing } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { ConsoleLogLines } from '../../../src/telemetry/logs/console-lines.js';
import { ItemList } from '../../../src/telemetry/export/span-batch.js';
import { LogPipeline, type LogBatchExporter } from '../../../src/telemetry/logs/log-pipeline.js';
import { RateLimiter } from '../../../src/telemetry/logs/rate-limit.js';
import { MAX_BODY_CHARS } from '../../../src/telemetry/logs/record-view.js';
import { LogRouter, type RouterOptions } from '../../../src/telemetry/logs/router.js';
import { toSentryLog } from '../../../src/telemetry/logs/sentry-logs-exporter.js';
import { SEVERITY_ERROR, SEVERITY_INFO, SEVERITY_WARN } from '../../../src/telemetry/logs/severity.js';
import { FILTERED, createRedactor } from '../../../src/telemetry/redaction/redactor.js';
import { makeConfig } from '../../fixtures/monitoring-harness.js';

/** Keeps what it was asked to export. */
function recordingExporter(): LogBatchExporter & { records: ReadableLogRecord[] } {
  const records: ReadableLogRecord[] = [];
  return {
    records,
    newBatch: () => new ItemList<ReadableLogRecord>(),
    export: (batch, done) => {
      records.push(...batch.items);
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
}

const batch = { maxQueueSize: 100, maxExportBatchSize: 10, scheduledDelayMillis: 60_000, exportTimeoutMillis: 1000 };

function setup(options: Partial<RouterOptions> = {}, pii = false) {
  const exporter = recordingExporter();
  const pipeline = new LogPipeline('test-logs', exporter, batch);
  const router = new LogRouter({
    minimum: SEVERITY_INFO,
    sampledOnly: false,
    rateLimit: 1000,
    captureGenAiContent: false,
    redactor: createRedactor(makeConfig({ sendDefaultPii: pii })),
    pipelines: [pipeline],
    ...options,
  });
  const logger = new LoggerProvider({ processors: [router] }).getLogger('test');
  const spans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('test');
  const flushed = async (): Promise<ReadableLogRecord[]> => {
    await pipeline.forceFlush();
    return exporter.records;
  };
  return { logger, pipeline, flushed, tracer, spans };
}

describe('the log router', () => {
  it("scrubs body and attributes with the redactor, structured values too, and leaves the app's record as it was", async () => {
    const { logger, flushed } = setup();
    const attributes = {
      'user.email': 'a@b.example',
      request: { headers: { authorization: 'Bearer abcdefghijkl' }, note: 'mail a@b.example' },
      api_key: 'k-123456',
    };
    logger.emit({ severityNumber: SEVERITY_INFO, body: 'token=abc123 for a@b.example', attributes });
    logger.emit({ severityNumber: SEVERITY_INFO, body: { password: 'hunter2', text: 'Bearer abcdefghijkl' } });
    const [first, second] = await flushed();
    expect(first!.body).toBe(`token=${FILTERED} for ${FILTERED}`);
    expect(first!.attributes).toEqual({
      request: { headers: { authorization: FILTERED }, note: `mail ${FILTERED}` },
      api_key: FILTERED,
    });
    expect(second!.body).toEqual({ password: FILTERED, text: `Bearer ${FILTERED}` });
    expect(attributes.request.headers.authorization).toBe('Bearer abcdefghijkl');
  });

  it('caps a large body, string or structured, and says how much was cut', async () => {
    const { logger, flushed } = setup();
    logger.emit({ severityNumber: SEVERITY_INFO, body: 'x'.repeat(MAX_BODY_CHARS + 500) });
    logger.emit({
      severityNumber: SEVERITY_INFO,
      body: { items: Array.from({ length: 5000 }, (_, i) => `item ${i}`) },
    });
    const [text, structured] = await flushed();
    expect(String(text!.body)).toHaveLength(MAX_BODY_CHARS + '...[truncated 500 characters]'.length);
    expect(String(text!.body)).toMatch(/\.\.\.\[truncated 500 characters\]$/);
    expect(typeof structured!.body).toBe('string');
    expect(String(structured!.body).length).toBeLessThan(MAX_BODY_CHARS + 100);
  });

  it('lets through the level and above; a record without severity counts as info', async () => {
    const { logger, flushed } = setup({ minimum: SEVERITY_WARN });
    for (const severityNumber of [1, 5, 9, SEVERITY_WARN, SEVERITY_ERROR, 21])
      logger.emit({ severityNumber, body: `s${severityNumber}` });
    logger.emit({ body: 'unspecified' });
    expect((await flushed()).map((r) => r.body)).toEqual(['s13', 's17', 's21']);
  });

  it("never lets in what is emitted with tracing suppressed (the layer's own export traffic)", async () => {
    const { logger, flushed, pipeline } = setup();
    // No context manager here: the export's suppressed context is passed as the record's.
    logger.emit({ severityNumber: SEVERITY_ERROR, body: 'from an export', context: suppressTracing(context.active()) });
    logger.emit({ severityNumber: SEVERITY_ERROR, body: 'from the app' });
    expect((await flushed()).map((r) => r.body)).toEqual(['from the app']);
    expect(pipeline.stats()).toEqual({ received: 1, exported: 1, dropped: 0, refused: 0, pending: 0 });
  });

  it('keeps records of unsampled traces unless sampledOnly, and records outside any trace always', async () => {
    for (const sampledOnly of [false, true]) {
      const { logger, flushed } = setup({ sampledOnly });
      const unsampled = trace.setSpanContext(context.active(), {
        traceId: 'a'.repeat(32),
        spanId: 'b'.repeat(16),
        traceFlags: 0,
      });
      const sampled = trace.setSpanContext(context.active(), {
        traceId: 'c'.repeat(32),
        spanId: 'd'.repeat(16),
        traceFlags: 1,
      });
      logger.emit({ severityNumber: SEVERITY_ERROR, body: 'unsampled', context: unsampled });
      logger.emit({ severityNumber: SEVERITY_ERROR, body: 'sampled', context: sampled });
      logger.emit({ severityNumber: SEVERITY_ERROR, body: 'no trace' });
      const records = await flushed();
      expect(records.map((r) => r.body)).toEqual(
        sampledOnly ? ['sampled', 'no trace'] : ['unsampled', 'sampled', 'no trace'],
      );
      expect(records.find((r) => r.body === 'sampled')!.spanContext).toMatchObject({
        traceId: 'c'.repeat(32),
        spanId: 'd'.repeat(16),
      });
    }
  });

  it('counts what the rate limit refuses as dropped in every pipeline', async () => {
    const { logger, flushed, pipeline } = setup({ rateLimit: 5 });
    for (let i = 0; i < 12; i++) logger.emit({ severityNumber: SEVERITY_INFO, body: `line ${i}` });
    expect((await flushed()).map((r) => r.body)).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
    expect(pipeline.stats()).toEqual({ received: 12, exported: 5, dropped: 7, refused: 7, pending: 0 });
  });
});

describe('RateLimiter', () => {
  it("allows a second's worth at once, then refills at the rate", () => {
    let now = 0;
    const limiter = new RateLimiter(10, () => now);
    expect(Array.from({ length: 12 }, () => limiter.take()).filter(Boolean)).toHaveLength(10);
    now += 500;
    expect(Array.from({ length: 12 }, () => limiter.take()).filter(Boolean)).toHaveLength(5);
    now += 10_000;
    expect(Array.from({ length: 12 }, () => limiter.take()).filter(Boolean)).toHaveLength(10);
  });
});

describe('GenAI content records', () => {
  const chat = (tracer: ReturnType<typeof setup>['tracer'], fn: (ctx: Context) => void): void => {
    const span = tracer.startSpan('chat gpt-4o-mini');
    fn(trace.setSpan(context.active(), span));
    span.end();
  };
  const userMessage = (ctx: Context) => ({
    context: ctx,
    severityNumber: SEVERITY_INFO,
    attributes: { 'event.name': 'gen_ai.user.message', 'gen_ai.system': 'openai' },
    body: { content: 'my password=hunter2 please' },
  });
  const choice = (ctx: Context) => ({
    context: ctx,
    severityNumber: SEVERITY_INFO,
    attributes: { 'event.name': 'gen_ai.choice', 'gen_ai.system': 'openai' },
    body: { finish_reason: 'stop', index: 0, message: { content: 'Here is how.' } },
  });

  it("with capture on, become the span's gen_ai.input/output.messages and no log record", async () => {
    const { logger, flushed, tracer, spans } = setup({ captureGenAiContent: true });
    chat(tracer, (ctx) => {
      logger.emit({
        ...userMessage(ctx),
        attributes: { ...userMessage(ctx).attributes, 'event.name': 'gen_ai.system.message' },
        body: { content: 'You help.' },
      });
      logger.emit(userMessage(ctx));
      logger.emit(choice(ctx));
    });
    expect(await flushed()).toEqual([]);
    const [span] = spans.getFinishedSpans();
    expect(JSON.parse(String(span!.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'You help.' }] },
      { role: 'user', parts: [{ type: 'text', content: 'my password=hunter2 please' }] },
    ]);
    expect(JSON.parse(String(span!.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'Here is how.' }], finish_reason: 'stop' },
    ]);
  });

  it('with capture off, go nowhere: neither on the span nor as records', async () => {
    const { logger, flushed, tracer, spans } = setup({ captureGenAiContent: false });
    chat(tracer, (ctx) => {
      logger.emit(userMessage(ctx));
      logger.emit(choice(ctx));
      logger.emit({
        context: ctx,
        severityNumber: SEVERITY_INFO,
        eventName: 'gen_ai.client.inference.operation.details',
        attributes: { 'gen_ai.input.messages': [] },
      });
    });
    expect(await flushed()).toEqual([]);
    expect(spans.getFinishedSpans()[0]!.attributes['gen_ai.input.messages']).toBeUndefined();
  });

  it("takes the newer operation-details event's messages as they are", async () => {
    const { logger, tracer, spans } = setup({ captureGenAiContent: true });
    const input = [{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }];
    chat(tracer, (ctx) =>
      logger.emit({
        context: ctx,
        severityNumber: SEVERITY_INFO,
        eventName: 'gen_ai.client.inference.operation.details',
        attributes: { 'gen_ai.input.messages': input },
      }),
    );
    expect(JSON.parse(String(spans.getFinishedSpans()[0]!.attributes['gen_ai.input.messages']))).toEqual(input);
  });
});

describe('Sentry log items', () => {
  it("carry the level, trace, parent span and typed attributes Sentry's own SDK sends", async () => {
    const { logger, flushed } = setup();
    const ctx = trace.setSpanContext(context.active(), {
      traceId: 'e'.repeat(32),
      spanId: 'f'.repeat(16),
      traceFlags: 1,
    });
    logger.emit({
      context: ctx,
      severityNumber: 14,
      severityText: 'WARN2',
      body: 'slow',
      attributes: { 'http.route': '/x', count: 3, ratio: 0.5, ok: true, tags: ['a', 'b'], nested: { k: 'v' } },
    });
    const [record] = await flushed();
    const item = toSentryLog(record!, { 'service.name': 'svc' }, '0'.repeat(32));
    expect(item).toMatchObject({ level: 'warn', severity_number: 14, body: 'slow', trace_id: 'e'.repeat(32) });
    expect(item.attributes).toEqual({
      'service.name': { type: 'string', value: 'svc' },
      'sentry.origin': { type: 'string', value: 'auto.log.opentelemetry' },
      'http.route': { type: 'string', value: '/x' },
      count: { type: 'integer', value: 3 },
      ratio: { type: 'double', value: 0.5 },
      ok: { type: 'boolean', value: true },
      tags: { type: 'array', value: ['a', 'b'] },
      nested: { type: 'string', value: '{"k":"v"}' },
      'sentry.trace.parent_span_id': { type: 'string', value: 'f'.repeat(16) },
    });
    expect(item.timestamp).toBeGreaterThan(1e9);
    // Outside any span, the record takes Sentry's own trace, as Sentry's SDK does.
    logger.emit({ severityNumber: SEVERITY_INFO, body: 'untraced' });
    const untraced = (await flushed())[1]!;
    expect(toSentryLog(untraced, {}, '1'.repeat(32)).trace_id).toBe('1'.repeat(32));
  });
});

describe("the development tree's log lines", () => {
  const record = (traceId: string, spanId: string, body: string): ReadableLogRecord =>
    ({
      spanContext: { traceId, spanId, traceFlags: 1 },
      body,
      severityNumber: SEVERITY_INFO,
    }) as unknown as ReadableLogRecord;

  it('waits by span until its trace is printed, then prints late lines at once', () => {
    const written: string[] = [];
    const lines = new ConsoleLogLines((text) => written.push(text));
    lines.add(record('t1', 's1', 'first\nsecond line'));
    lines.add(record('t1', 's2', 'other span'));
    expect(lines.take('t1')).toEqual(
      new Map([
        ['s1', ['INFO first (+1 lines)']],
        ['s2', ['INFO other span']],
      ]),
    );
    lines.add(record('t1', 's1', 'late'));
    expect(written).toEqual(['trace t1 (after it was printed)\n  · INFO late\n']);
    lines.add(record('t2', 's1', 'never printed'));
    lines.flush();
    expect(written[1]).toBe('trace t2 (log lines only)\n  · INFO never printed\n');
  });
});
