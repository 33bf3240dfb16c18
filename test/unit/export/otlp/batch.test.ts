import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { ExportPipeline, SpanFailureReporter } from '../../../../src/telemetry/export/pipeline.js';
import { FailureReporter } from '../../../../src/telemetry/common/failure-reporter.js';
import { OtlpSpanBatch, SpanEncoder } from '../../../../src/telemetry/export/otlp/batch.js';
import { redactSpan } from '../../../../src/telemetry/redaction/redacting-exporter.js';
import { createRedactor } from '../../../../src/telemetry/redaction/redactor.js';
import type { BatchExporter } from '../../../../src/telemetry/export/span-batch.js';
import { decodeOtlpTracesBody } from '../../../kit/index.js';
import { makeConfig } from '../../../fixtures/monitoring-harness.js';

const REMOTE = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
};

/** Every field the encoder writes, through the real SDK: kinds, parents, attribute types, events, links, status. */
function makeSpans(): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const capture: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => void ended.push(span),
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'encoder-test',
      'host.cpus': 2,
      'process.argv': ['node', 'app.js'],
    }),
    spanProcessors: [capture],
  });
  const http = provider.getTracer('@opentelemetry/instrumentation-http', '0.210.0', {
    schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
  });
  const app = provider.getTracer('support-app');
  const remote = trace.setSpanContext(ROOT_CONTEXT, { ...REMOTE, traceState: new TraceState('vendor=a,ot=th:0') });
  const server = http.startSpan('POST /api/ingest-message', { kind: SpanKind.SERVER }, remote);
  const inServer = trace.setSpan(ROOT_CONTEXT, server);
  const child = app.startSpan(
    'agent run — résumé 🚀',
    {
      attributes: {
        'text.ascii': 'plain',
        'text.unicode': 'café ☕ 𝄞',
        'int.small': 7,
        'int.negative': -42,
        'int.large': 2 ** 40 + 3,
        'int.min': -(2 ** 53) + 1,
        'double.value': 0.25,
        'bool.value': true,
        'array.strings': ['a', 'é'],
        'array.numbers': [1, -2, 3.5],
        'array.bools': [false, true],
        'long.text': 'x'.repeat(300),
        // The writer's short-string path ends at 127 characters (a one-byte length).
        'text.127': 'y'.repeat(127),
        'text.128': 'y'.repeat(128),
        'text.127.unicode': `${'y'.repeat(126)}é`,
      },
      links: [
        { context: { ...REMOTE, spanId: '00f067aa0ba902b7', isRemote: false }, attributes: { 'link.reason': 'retry' } },
      ],
    },
    inServer,
  );
  child.addEvent('tool.call', { 'tool.name': 'refund', attempts: 2 });
  child.addEvent('no attributes');
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'model refused' });
  child.end();
  context.with(inServer, () => app.startSpan('internal').end());
  app.startSpan('root', { kind: SpanKind.CLIENT }, ROOT_CONTEXT).end();
  server.setStatus({ code: SpanStatusCode.OK });
  server.end();
  return ended;
}

const identity = (span: ReadableSpan): ReadableSpan => span;

function encode(spans: ReadableSpan[], encoder = new SpanEncoder(identity)): Uint8Array {
  const batch = new OtlpSpanBatch(encoder);
  for (const span of spans) batch.add(span);
  return batch.toRequest();
}

describe('OTLP batches encoded as spans end', () => {
  it('assemble the exact bytes of the stock ProtobufTraceSerializer', () => {
    const spans = makeSpans();
    const ours = encode(spans);
    const stock = ProtobufTraceSerializer.serializeRequest(spans);
    expect(Buffer.from(ours).equals(Buffer.from(stock ?? new Uint8Array()))).toBe(true);
    const decoded = decodeOtlpTracesBody(Buffer.from(ours), 'protobuf');
    expect(decoded.map((span) => span.name)).toEqual(spans.map((span) => span.name));
    const agent = decoded.find((span) => span.name.startsWith('agent run'));
    expect(agent?.attributes).toMatchObject({
      'text.unicode': 'café ☕ 𝄞',
      'int.negative': -42,
      'int.large': 2 ** 40 + 3,
    });
  });

  it('group spans of many scopes and several batches exactly as the stock serializer does', () => {
    const spans = [...makeSpans(), ...makeSpans()];
    const shuffled = [spans[4], spans[0], spans[6], spans[2], spans[1], spans[7], spans[3], spans[5]] as ReadableSpan[];
    const ours = encode(shuffled);
    const stock = ProtobufTraceSerializer.serializeRequest(shuffled);
    expect(Buffer.from(ours).equals(Buffer.from(stock ?? new Uint8Array()))).toBe(true);
  });

  it('scrub and encode each span once, after its end() returned, however many OTLP pipelines take it', async () => {
    const calls: string[] = [];
    const redactor = createRedactor(makeConfig());
    const encoder = new SpanEncoder((span) => {
      calls.push(span.name);
      return redactSpan(span, redactor);
    });
    const [first, second] = [new OtlpSpanBatch(encoder), new OtlpSpanBatch(encoder)];
    const provider = new BasicTracerProvider();
    const span = provider
      .getTracer('t')
      .startSpan('login for ana@example.com', { attributes: { 'user.email': 'ana@example.com' } });
    span.end();
    const ended = span as unknown as ReadableSpan;
    first.add(ended);
    second.add(ended);
    // Nothing is encoded inside end(): the work waits for the end of the event-loop turn.
    expect(calls).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['login for ana@example.com']);
    const [sent] = decodeOtlpTracesBody(Buffer.from(first.toRequest()), 'protobuf');
    expect(Buffer.from(first.toRequest()).equals(Buffer.from(second.toRequest()))).toBe(true);
    expect(sent?.name).not.toContain('ana@example.com');
    expect(String(sent?.attributes['user.email'])).not.toContain('ana@example.com');
  });

  it('hold no span object while the batch waits to leave', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const encoder = new SpanEncoder(identity);
    const exporter: BatchExporter<OtlpSpanBatch> = {
      newBatch: () => new OtlpSpanBatch(encoder),
      export: (_batch, done) => done({ code: 0 }),
      shutdown: async () => {},
    };
    const batchConfig = {
      maxQueueSize: 4096,
      maxExportBatchSize: 4096,
      scheduledDelayMillis: 60_000,
      exportTimeoutMillis: 1000,
    };
    const pipeline = new ExportPipeline('gc', exporter, batchConfig);
    const provider = new BasicTracerProvider({ spanProcessors: [pipeline] });
    const tracer = provider.getTracer('t');
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 200; i++) {
      const span = tracer.startSpan(`span ${i}`, { attributes: { i } });
      span.end();
      refs.push(new WeakRef(span));
    }
    expect(pipeline.stats().pending).toBe(200);
    // WeakRef targets are kept until the end of the current job.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    const alive = refs.filter((ref) => ref.deref() !== undefined).length;
    // The encoder remembers the last span it encoded (for the next pipeline of the same end()), nothing else.
    expect(alive).toBeLessThanOrEqual(1);
    await pipeline.forceFlush();
    expect(pipeline.stats()).toEqual({ received: 200, exported: 200, dropped: 0, refused: 0, pending: 0 });
  });

  it('count a span that cannot be encoded as dropped, say why, and send the rest', async () => {
    const encoder = new SpanEncoder((span) => {
      if (span.name === 'bad') throw new Error('attribute cannot be scrubbed');
      return span;
    });
    const requests: Uint8Array[] = [];
    const exporter: BatchExporter<OtlpSpanBatch> = {
      newBatch: () => new OtlpSpanBatch(encoder),
      export: (batch, done) => {
        requests.push(batch.toRequest());
        done({ code: 0 });
      },
      shutdown: async () => {},
    };
    const warnings: string[] = [];
    const reporter = new SpanFailureReporter('lossy', undefined, new FailureReporter((line) => warnings.push(line)));
    const batch = { maxQueueSize: 10, maxExportBatchSize: 10, scheduledDelayMillis: 60_000, exportTimeoutMillis: 1000 };
    const pipeline = new ExportPipeline('lossy', exporter, batch, undefined, reporter);
    const tracer = new BasicTracerProvider({ spanProcessors: [pipeline] }).getTracer('t');
    for (const name of ['good', 'bad', 'also good']) tracer.startSpan(name).end();
    await pipeline.forceFlush();
    expect(pipeline.stats()).toEqual({ received: 3, exported: 2, dropped: 1, refused: 0, pending: 0 });
    expect(decodeOtlpTracesBody(Buffer.from(requests[0] ?? []), 'protobuf').map((span) => span.name)).toEqual([
      'good',
      'also good',
    ]);
    expect(warnings[0]).toContain('a span could not be encoded: attribute cannot be scrubbed');
  });
});
