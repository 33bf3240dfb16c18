import { gzipSync } from 'node:zlib';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Link } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { Metadata } from '@grpc/grpc-js';
import {
  createEnvelope,
  getEnvelopeEndpointWithUrlEncodedAuth,
  makeDsn,
  serializeEnvelope,
  type Event,
  type EventEnvelope,
  type LogEnvelope,
} from '@sentry/core';
import { makeNodeTransport } from '@sentry/node';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  childrenOf,
  encodeLogsRequestProto,
  encodeTraceRequestProto,
  formatSpanTree,
  localRoots,
  otlpEnv,
  sentryEnv,
  spansNamed,
  keepAliveAgent,
  request,
  runningAppCount,
  runToExit,
  startApp,
  startFakeSentry,
  startOtlpGrpcReceiver,
  startOtlpReceiver,
  useKitCleanup,
  OTLP_SPAN_KIND,
  type ReceivedSpan,
} from './index.js';

useKitCleanup();

interface Made {
  spans: ReadableSpan[];
  rootTraceId: string;
  rootSpanId: string;
  childSpanId: string;
  linkedTraceId: string;
}

/** Real SDK spans (a server root with a client child, events, a link, an error status) to push through exporters. */
async function makeSpans(): Promise<Made> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'kit-self-test', 'deployment.environment.name': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('kit-tracer', '1.2.3');
  const linkedContext = { traceId: 'abcdef0123456789abcdef0123456789', spanId: '0123456789abcdef', traceFlags: 1 };
  const link: Link = { context: linkedContext, attributes: { 'link.reason': 'batch' } };
  const root = tracer.startSpan('GET /api/tickets/:id', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.request.method': 'GET',
      'http.response.status_code': 500,
      'kit.ratio': 0.25,
      'kit.flag': true,
      'kit.list': ['a', 'b'],
      'kit.big': 2 ** 40,
    },
    links: [link],
  });
  const child = tracer.startSpan('fetch upstream', { kind: SpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, root));
  child.addEvent('retry', { attempt: 2, reason: 'timeout' });
  child.end();
  root.recordException(new Error('kaboom'));
  root.setStatus({ code: SpanStatusCode.ERROR, message: 'handler failed' });
  root.end();
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return {
    spans,
    rootTraceId: root.spanContext().traceId,
    rootSpanId: root.spanContext().spanId,
    childSpanId: child.spanContext().spanId,
    linkedTraceId: linkedContext.traceId,
  };
}

function exportWith(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

function assertDecoded(received: ReceivedSpan[], made: Made, encoding: ReceivedSpan['encoding']): void {
  expect(received).toHaveLength(2);
  const root = received.find((span) => span.spanId === made.rootSpanId);
  const child = received.find((span) => span.spanId === made.childSpanId);
  if (!root || !child) throw new Error(`spans not found: ${JSON.stringify(received.map((s) => s.spanId))}`);

  expect(root).toMatchObject({
    traceId: made.rootTraceId,
    name: 'GET /api/tickets/:id',
    kind: OTLP_SPAN_KIND.SERVER,
    kindName: 'server',
    status: { code: 2, message: 'handler failed' },
    resource: { 'service.name': 'kit-self-test', 'deployment.environment.name': 'test' },
    scope: { name: 'kit-tracer', version: '1.2.3' },
    encoding,
  });
  expect(root.parentSpanId).toBeUndefined();
  expect(root.attributes).toEqual({
    'http.request.method': 'GET',
    'http.response.status_code': 500,
    'kit.ratio': 0.25,
    'kit.flag': true,
    'kit.list': ['a', 'b'],
    'kit.big': 2 ** 40,
  });
  expect(root.events[0]?.name).toBe('exception');
  expect(root.events[0]?.attributes['exception.message']).toBe('kaboom');
  expect(root.links).toEqual([
    expect.objectContaining({
      traceId: made.linkedTraceId,
      spanId: '0123456789abcdef',
      attributes: { 'link.reason': 'batch' },
    }),
  ]);
  expect(root.flags !== undefined && (root.flags & 0xff) === 1).toBe(true);
  expect(root.endTimeUnixNano >= root.startTimeUnixNano).toBe(true);
  expect(root.startTimeUnixNano > 1_600_000_000_000_000_000n).toBe(true);

  expect(child).toMatchObject({
    traceId: made.rootTraceId,
    parentSpanId: made.rootSpanId,
    kindName: 'client',
    status: { code: 0 },
  });
  expect(child.events).toEqual([
    expect.objectContaining({ name: 'retry', attributes: { attempt: 2, reason: 'timeout' } }),
  ]);
}

describe('OTLP/HTTP receiver', () => {
  it('decodes protobuf from the OTel proto exporter, gzip and plain, and records headers', async () => {
    const receiver = closeAfterTest(await startOtlpReceiver());
    const made = await makeSpans();

    const plain = new ProtoExporter({ url: receiver.tracesUrl, headers: { 'x-collector-token': 'secret-1' } });
    expect((await exportWith(plain, made.spans)).code).toBe(ExportResultCode.SUCCESS);
    assertDecoded(await receiver.waitForSpans(2), made, 'protobuf');
    await plain.shutdown();

    receiver.reset();
    const gzip = new ProtoExporter({ url: receiver.tracesUrl, compression: CompressionAlgorithm.GZIP });
    expect((await exportWith(gzip, made.spans)).code).toBe(ExportResultCode.SUCCESS);
    assertDecoded(await receiver.waitForSpans(2), made, 'protobuf');
    await gzip.shutdown();

    receiver.reset();
    expect(receiver.requests).toHaveLength(0);
    const again = new ProtoExporter({ url: receiver.tracesUrl, headers: { 'x-collector-token': 'secret-1' } });
    await exportWith(again, made.spans);
    await again.shutdown();
    const [record] = receiver.requests;
    expect(record).toMatchObject({
      method: 'POST',
      path: '/v1/traces',
      contentType: 'application/x-protobuf',
      fault: 'ok',
      status: 200,
      spanCount: 2,
    });
    expect(record?.headers['x-collector-token']).toBe('secret-1');
    expect(record?.encoding).toBeUndefined();
  });

  it('decodes OTLP/JSON from the OTel http exporter, gzip included', async () => {
    const receiver = closeAfterTest(await startOtlpReceiver());
    const made = await makeSpans();
    const exporter = new JsonExporter({ url: receiver.tracesUrl, compression: CompressionAlgorithm.GZIP });
    expect((await exportWith(exporter, made.spans)).code).toBe(ExportResultCode.SUCCESS);
    assertDecoded(await receiver.waitForSpans(2), made, 'json');
    expect(receiver.requests[0]).toMatchObject({ contentType: 'application/json', encoding: 'gzip' });
    await exporter.shutdown();
  });

  it('normalises hand-written OTLP/JSON (string ints, enum names) and forged protobuf the same way', async () => {
    const receiver = closeAfterTest(await startOtlpReceiver());
    const otlp = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'forged' } }] },
          scopeSpans: [
            {
              scope: { name: 'hand', version: '0' },
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  parentSpanId: '',
                  name: 'forged',
                  kind: 'SPAN_KIND_CONSUMER',
                  startTimeUnixNano: '1700000000000000001',
                  endTimeUnixNano: 1700000000000000,
                  attributes: [
                    { key: 'count', value: { intValue: '9007199254740993' } },
                    { key: 'nested', value: { kvlistValue: { values: [{ key: 'k', value: { boolValue: false } }] } } },
                    { key: 'blob', value: { bytesValue: Buffer.from('hi').toString('base64') } },
                  ],
                  status: { code: 'STATUS_CODE_OK' },
                },
              ],
            },
          ],
        },
      ],
    };
    const json = await request(receiver.tracesUrl, { body: otlp });
    expect(json.status).toBe(200);
    const [span] = await receiver.waitForSpans(1);
    expect(span).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      kind: OTLP_SPAN_KIND.CONSUMER,
      startTimeUnixNano: 1700000000000000001n,
      endTimeUnixNano: 1700000000000000n,
      status: { code: 1 },
      attributes: { count: 9007199254740993n, nested: { k: false }, blob: new Uint8Array(Buffer.from('hi')) },
    });
    expect(span?.parentSpanId).toBeUndefined();

    receiver.reset();
    // The same request as protobuf: bytes ids, enum numbers, decimal-string longs.
    const asProto = structuredClone(otlp);
    const protoSpan = asProto.resourceSpans[0]!.scopeSpans[0]!.spans[0]! as Record<string, unknown>;
    protoSpan['traceId'] = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
    protoSpan['spanId'] = Buffer.from('b7ad6b7169203331', 'hex');
    protoSpan['parentSpanId'] = Buffer.alloc(0);
    protoSpan['kind'] = 5;
    protoSpan['status'] = { code: 1 };
    (protoSpan['attributes'] as { value: Record<string, unknown> }[])[2]!.value = { bytesValue: Buffer.from('hi') };
    const proto = await request(receiver.tracesUrl, {
      body: gzipSync(encodeTraceRequestProto(asProto)),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    });
    expect(proto.status).toBe(200);
    const [decoded] = await receiver.waitForSpans(1);
    expect({ ...decoded, encoding: 'json' }).toEqual(span);

    receiver.reset();
    // Generic protobuf-JSON writers send bytes ids as base64; they must land as the same hex ids.
    const base64 = structuredClone(otlp);
    const base64Span = base64.resourceSpans[0]!.scopeSpans[0]!.spans[0]! as Record<string, unknown>;
    base64Span['traceId'] = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex').toString('base64');
    base64Span['spanId'] = Buffer.from('b7ad6b7169203331', 'hex').toString('base64');
    expect((await request(receiver.tracesUrl, { body: base64 })).status).toBe(200);
    const [fromBase64] = await receiver.waitForSpans(1);
    expect({ traceId: fromBase64?.traceId, spanId: fromBase64?.spanId }).toEqual({
      traceId: span?.traceId,
      spanId: span?.spanId,
    });
  });

  it('decodes logs: hand-written OTLP/JSON (enum names, string ints) and forged protobuf alike', async () => {
    const receiver = closeAfterTest(await startOtlpReceiver());
    const otlp = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeLogs: [
            {
              scope: { name: 'otel-sentry-bridge/console', version: '1' },
              logRecords: [
                {
                  timeUnixNano: '1700000000000000001',
                  observedTimeUnixNano: '1700000000000000002',
                  severityNumber: 'SEVERITY_NUMBER_WARN2',
                  severityText: 'WARN',
                  body: { stringValue: 'disk almost full' },
                  attributes: [{ key: 'count', value: { intValue: '3' } }],
                  flags: 1,
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  eventName: 'disk.warning',
                },
              ],
            },
          ],
        },
      ],
    };
    expect((await request(receiver.logsUrl, { body: otlp })).status).toBe(200);
    const [record] = await receiver.waitForLogs(1);
    expect(record).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      flags: 1,
      timeUnixNano: 1700000000000000001n,
      observedTimeUnixNano: 1700000000000000002n,
      severityNumber: 14,
      severityText: 'WARN',
      body: 'disk almost full',
      eventName: 'disk.warning',
      attributes: { count: 3 },
      resource: { 'service.name': 'svc' },
      scope: { name: 'otel-sentry-bridge/console', version: '1' },
      encoding: 'json',
    });
    receiver.reset();
    const asProto = structuredClone(otlp) as unknown as Record<string, unknown>;
    const protoRecord = (asProto['resourceLogs'] as { scopeLogs: { logRecords: Record<string, unknown>[] }[] }[])[0]!
      .scopeLogs[0]!.logRecords[0]!;
    protoRecord['severityNumber'] = 14;
    protoRecord['traceId'] = Buffer.from('0af7651916cd43dd8448eb211c80319c', 'hex');
    protoRecord['spanId'] = Buffer.from('b7ad6b7169203331', 'hex');
    const proto = await request(receiver.logsUrl, {
      body: gzipSync(encodeLogsRequestProto(asProto)),
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    });
    expect(proto.status).toBe(200);
    const [decoded] = await receiver.waitForLogs(1);
    expect({ ...decoded, encoding: 'json' }).toEqual(record);
    expect(receiver.requests.map((r) => [r.path, r.logCount, r.spanCount])).toEqual([['/v1/logs', 1, 0]]);
  });

  it('rejects unknown content types and malformed bodies without storing spans', async () => {
    const receiver = closeAfterTest(await startOtlpReceiver());
    expect((await request(receiver.tracesUrl, { body: 'x', headers: { 'content-type': 'text/plain' } })).status).toBe(
      415,
    );
    expect(
      (await request(receiver.tracesUrl, { body: '{not json', headers: { 'content-type': 'application/json' } }))
        .status,
    ).toBe(400);
    expect((await request(`${receiver.url}/v1/metrics`, { body: {} })).status).toBe(404);
    expect(receiver.spans).toHaveLength(0);
    expect(receiver.requests).toHaveLength(3);
  });
});

describe('OTLP/gRPC receiver', () => {
  it('decodes spans and metadata sent by the OTel grpc exporter, gzip included', async () => {
    const receiver = closeAfterTest(await startOtlpGrpcReceiver());
    const made = await makeSpans();
    const metadata = new Metadata();
    metadata.set('x-collector-token', 'secret-2');
    const exporter = new GrpcExporter({ url: receiver.url, metadata, compression: CompressionAlgorithm.GZIP });
    const result = await exportWith(exporter, made.spans);
    expect(result.error).toBeUndefined();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    assertDecoded(await receiver.waitForSpans(2), made, 'protobuf');
    expect(receiver.requests[0]?.metadata['x-collector-token']).toBe('secret-2');
    await exporter.shutdown();
  });

  it('fails exports while 503/429/down and accepts them again on the same port', async () => {
    const receiver = closeAfterTest(await startOtlpGrpcReceiver());
    const made = await makeSpans();
    const newExporter = (): GrpcExporter => new GrpcExporter({ url: receiver.url, timeoutMillis: 5000 });

    for (const mode of ['503', '429', 'down'] as const) {
      await receiver.setFault({ mode });
      const exporter = newExporter();
      const result = await exportWith(exporter, made.spans);
      expect({ mode, code: result.code }).toEqual({ mode, code: ExportResultCode.FAILED });
      await exporter.shutdown();
    }
    expect(receiver.rejected['503']).toBeGreaterThanOrEqual(1);
    expect(receiver.rejected['429']).toBeGreaterThanOrEqual(1);
    expect(receiver.spans).toHaveLength(0);

    await receiver.setFault({ mode: 'ok' });
    const exporter = newExporter();
    expect((await exportWith(exporter, made.spans)).code).toBe(ExportResultCode.SUCCESS);
    expect(receiver.spans).toHaveLength(2);
    await exporter.shutdown();
  });

  it('hang: the export gets no answer, and close() still returns', async () => {
    const receiver = await startOtlpGrpcReceiver();
    const made = await makeSpans();
    await receiver.setFault({ mode: 'hang' });
    const exporter = new GrpcExporter({ url: receiver.url, timeoutMillis: 60_000 });
    const pending = exportWith(exporter, made.spans);
    await receiver.waitForRequests(1);
    expect(receiver.rejected.hang).toBe(1);
    await receiver.close();
    expect((await pending).code).toBe(ExportResultCode.FAILED);
    expect(receiver.spans).toHaveLength(0);
    await exporter.shutdown();
  });
});

describe('fake Sentry', () => {
  it('builds the DSN and OTLP endpoint the way Sentry does', async () => {
    const sentry = closeAfterTest(await startFakeSentry({ publicKey: 'k3y', projectId: '77' }));
    expect(sentry.dsn).toBe(`http://k3y@127.0.0.1:${sentry.port}/77`);
    expect(sentry.otlpTracesUrl).toBe(`http://127.0.0.1:${sentry.port}/api/77/integration/otlp/v1/traces/`);
    expect(sentry.otlpTracesHeaders).toEqual({ 'X-Sentry-Auth': 'Sentry sentry_version=7, sentry_key=k3y' });
  });

  it('accepts OTLP protobuf and JSON with X-Sentry-Auth, with and without the trailing slash', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const made = await makeSpans();
    const proto = new ProtoExporter({
      url: sentry.otlpTracesUrl,
      headers: sentry.otlpTracesHeaders,
      compression: CompressionAlgorithm.GZIP,
    });
    expect((await exportWith(proto, made.spans)).code).toBe(ExportResultCode.SUCCESS);
    assertDecoded(await sentry.waitForSpans(2), made, 'protobuf');
    await proto.shutdown();

    sentry.reset();
    const json = new JsonExporter({ url: sentry.otlpTracesUrl.replace(/\/$/, ''), headers: sentry.otlpTracesHeaders });
    expect((await exportWith(json, made.spans)).code).toBe(ExportResultCode.SUCCESS);
    assertDecoded(await sentry.waitForSpans(2), made, 'json');
    await json.shutdown();
    expect(sentry.requests.every((r) => r.endpoint === 'otlp' && r.authorized)).toBe(true);
    expect(sentry.requests[0]?.headers['x-sentry-auth']).toBe(sentry.otlpTracesHeaders['X-Sentry-Auth']);
  });

  it('answers 401 to OTLP without X-Sentry-Auth, with a wrong key, or with the key only in the query', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const body = { resourceSpans: [] };
    expect((await request(sentry.otlpTracesUrl, { body })).status).toBe(401);
    const wrong = { 'X-Sentry-Auth': 'Sentry sentry_version=7, sentry_key=nope' };
    expect((await request(sentry.otlpTracesUrl, { body, headers: wrong })).status).toBe(401);
    expect((await request(`${sentry.otlpTracesUrl}?sentry_key=${sentry.publicKey}`, { body })).status).toBe(401);
    const made = await makeSpans();
    const exporter = new ProtoExporter({ url: sentry.otlpTracesUrl, headers: wrong });
    expect((await exportWith(exporter, made.spans)).code).toBe(ExportResultCode.FAILED);
    await exporter.shutdown();
    expect(sentry.spans).toHaveLength(0);
    expect(sentry.requests.map((r) => r.status)).toEqual([401, 401, 401, 401]);
  });

  it("receives an envelope sent by Sentry's node transport and parses it with parseEnvelope", async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const dsn = makeDsn(sentry.dsn);
    if (!dsn) throw new Error('bad dsn');
    const eventId = 'aa'.repeat(16);
    const event: Event = {
      event_id: eventId,
      message: 'hello from the kit',
      contexts: { trace: { trace_id: 'bb'.repeat(16), span_id: 'cc'.repeat(8) } },
      // Above the transport's 32 KB threshold, so the body goes gzip-compressed.
      extra: { padding: 'x'.repeat(40_000) },
    };
    const envelope = createEnvelope<EventEnvelope>({ event_id: eventId, sent_at: new Date().toISOString() }, [
      [{ type: 'event' }, event],
    ]);
    const transport = makeNodeTransport({
      url: getEnvelopeEndpointWithUrlEncodedAuth(dsn, undefined, {
        name: 'sentry.javascript.node',
        version: '11.12.0',
      }),
      recordDroppedEvent: () => {},
    });
    const response = await transport.send(envelope);
    expect(response?.statusCode).toBe(200);
    const [received] = await sentry.waitForEvents(1);
    expect(received?.message).toBe('hello from the kit');
    expect(received?.contexts?.trace).toEqual({ trace_id: 'bb'.repeat(16), span_id: 'cc'.repeat(8) });
    expect(sentry.envelopes[0]?.headers['event_id']).toBe(eventId);
    expect(sentry.envelopes[0]?.items.map((item) => item.type)).toEqual(['event']);
    const record = sentry.requests[0];
    expect(record).toMatchObject({ endpoint: 'envelope', authorized: true, encoding: 'gzip', status: 200 });
    expect(record?.query.get('sentry_key')).toBe(sentry.publicKey);
    await transport.flush();
  });

  it("keeps the records of log items (Sentry Logs), as Sentry's transport sends them", async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const dsn = makeDsn(sentry.dsn)!;
    const items = [
      {
        timestamp: 1700000000.5,
        level: 'info' as const,
        body: 'one',
        trace_id: 'aa'.repeat(16),
        severity_number: 9,
        attributes: { n: { type: 'integer' as const, value: 1 } },
      },
      { timestamp: 1700000001.5, level: 'error' as const, body: 'two', trace_id: 'aa'.repeat(16), severity_number: 17 },
    ];
    const envelope = createEnvelope<LogEnvelope>({}, [
      [
        { type: 'log', item_count: 2, content_type: 'application/vnd.sentry.items.log+json' },
        { version: 2, items },
      ],
    ]);
    const transport = makeNodeTransport({
      url: getEnvelopeEndpointWithUrlEncodedAuth(dsn),
      recordDroppedEvent: () => {},
    });
    expect((await transport.send(envelope))?.statusCode).toBe(200);
    expect(await sentry.waitForLogs(2)).toEqual(items);
    expect(sentry.events).toEqual([]);
    await transport.flush();
  });

  it("takes a Collector's records at the direct OTLP logs endpoint, with X-Sentry-Auth only", async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const body = {
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
          scopeLogs: [
            {
              scope: { name: 'gateway' },
              logRecords: [{ severityNumber: 17, body: { stringValue: 'via the gateway' }, traceId: 'ab'.repeat(16) }],
            },
          ],
        },
      ],
    };
    expect((await request(sentry.otlpLogsUrl, { body })).status).toBe(401);
    expect((await request(`${sentry.otlpLogsUrl}?sentry_key=${sentry.publicKey}`, { body })).status).toBe(401);
    expect((await request(sentry.otlpLogsUrl, { body, headers: sentry.otlpTracesHeaders })).status).toBe(200);
    const [record] = await sentry.waitForOtlpLogs(1);
    expect(record).toMatchObject({
      traceId: 'ab'.repeat(16),
      severityNumber: 17,
      body: 'via the gateway',
      resource: { 'service.name': 'svc' },
    });
    expect(sentry.requests.map((r) => [r.endpoint, r.authorized])).toEqual([
      ['otlp-logs', false],
      ['otlp-logs', false],
      ['otlp-logs', true],
    ]);
    expect(sentry.spans).toEqual([]);
  });

  it('accepts an envelope authenticated by X-Sentry-Auth and answers 401 to a missing or wrong key', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const envelope = createEnvelope<EventEnvelope>({ event_id: 'dd'.repeat(16), sent_at: new Date().toISOString() }, [
      [{ type: 'event' }, { event_id: 'dd'.repeat(16), exception: { values: [{ type: 'Error', value: 'boom' }] } }],
      [{ type: 'transaction' }, { event_id: 'ee'.repeat(16), type: 'transaction', transaction: 'GET /' }],
    ] as EventEnvelope[1]);
    const body = serializeEnvelope(envelope);
    const envelopeUrl = `${sentry.url}/api/${sentry.projectId}/envelope/`;

    expect((await request(envelopeUrl, { body })).status).toBe(401);
    expect((await request(`${envelopeUrl}?sentry_key=wrong`, { body })).status).toBe(401);
    // A right key in the query does not excuse a wrong one in the header.
    const wrongHeader = { 'x-sentry-auth': 'Sentry sentry_version=7, sentry_key=wrong' };
    expect(
      (await request(`${envelopeUrl}?sentry_key=${sentry.publicKey}`, { body, headers: wrongHeader })).status,
    ).toBe(401);
    expect((await request(`${sentry.url}/api/999/envelope/?sentry_key=${sentry.publicKey}`, { body })).status).toBe(
      403,
    );
    expect(sentry.envelopes).toHaveLength(0);

    const ok = await request(envelopeUrl, {
      body,
      headers: { 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${sentry.publicKey}, sentry_client=kit/1` },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ id: 'dd'.repeat(16) });
    const [received] = await sentry.waitForEvents(1);
    expect(received?.exception?.values?.[0]?.value).toBe('boom');
    expect(sentry.transactions.map((t) => t.transaction)).toEqual(['GET /']);
  });
});

describe('fake Sentry, per-endpoint faults and raw envelopes', () => {
  it('limits a fault to the OTLP endpoint while envelopes go through', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    await sentry.setFault({ mode: '429', endpoint: 'otlp', retryAfterSeconds: 3 });
    const otlp = await request(sentry.otlpTracesUrl, {
      body: { resourceSpans: [] },
      headers: sentry.otlpTracesHeaders,
    });
    expect(otlp.status).toBe(429);
    expect(otlp.headers['retry-after']).toBe('3');
    const envelope = serializeEnvelope(
      createEnvelope<EventEnvelope>({ event_id: 'ab'.repeat(16), sent_at: new Date().toISOString() }, [
        [{ type: 'event' }, { event_id: 'ab'.repeat(16), message: 'through' }],
      ]),
    );
    const accepted = await request(`${sentry.url}/api/${sentry.projectId}/envelope/?sentry_key=${sentry.publicKey}`, {
      body: envelope,
    });
    expect(accepted.status).toBe(200);
    expect(sentry.requests.map((r) => [r.endpoint, r.fault, r.status])).toEqual([
      ['otlp', '429', 429],
      ['envelope', 'ok', 200],
    ]);
    await expect(sentry.setFault({ mode: 'down', endpoint: 'otlp' })).rejects.toThrow(/whole server/);
  });

  it('parses JSON items that carry an explicit length', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const payload = JSON.stringify({ event_id: 'cd'.repeat(16), message: 'with length' });
    const body = `{"event_id":"${'cd'.repeat(16)}"}\n{"type":"event","length":${Buffer.byteLength(payload)}}\n${payload}\n`;
    const response = await request(`${sentry.url}/api/${sentry.projectId}/envelope/?sentry_key=${sentry.publicKey}`, {
      body,
    });
    expect(response.status).toBe(200);
    const [event] = await sentry.waitForEvents(1);
    expect(event?.message).toBe('with length');
  });
});

describe('span queries and env builders', () => {
  it('navigates a received trace', async () => {
    const receiver = closeAfterTest(await startOtlpReceiver());
    const made = await makeSpans();
    const exporter = new ProtoExporter({ url: receiver.tracesUrl });
    await exportWith(exporter, made.spans);
    await exporter.shutdown();
    const spans = await receiver.waitForSpans(2);
    const [root] = localRoots(spans);
    expect(root?.spanId).toBe(made.rootSpanId);
    expect(childrenOf(spans, root!).map((span) => span.name)).toEqual(['fetch upstream']);
    expect(spansNamed(spans, /^GET /)).toHaveLength(1);
    expect(formatSpanTree(spans)).toMatch(/^server GET \/api\/tickets\/:id .*\n {2}client fetch upstream /);
  });

  it('builds SENTRY_DSN and OTEL_EXPORTER_OTLP_* from the servers', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const grpc = closeAfterTest(await startOtlpGrpcReceiver());
    expect(sentryEnv(sentry)).toEqual({ SENTRY_DSN: sentry.dsn });
    expect(otlpEnv(grpc, 'grpc')).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: grpc.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
  });
});

describe('fault modes over HTTP', () => {
  it('serialises fault switches: down then ok without waiting in between', async () => {
    const receiver = closeAfterTest(await startOtlpReceiver());
    const down = receiver.setFault({ mode: 'down' });
    const up = receiver.setFault({ mode: 'ok' });
    await Promise.all([down, up]);
    expect((await request(receiver.tracesUrl, { body: { resourceSpans: [] } })).status).toBe(200);
  });

  for (const kind of ['otlp receiver', 'fake sentry'] as const) {
    it(`${kind}: down refuses connections, ok listens again on the same port`, async () => {
      const server =
        kind === 'otlp receiver' ? closeAfterTest(await startOtlpReceiver()) : closeAfterTest(await startFakeSentry());
      const target = kind === 'otlp receiver' ? `${server.url}/v1/traces` : `${server.url}/api/4242/envelope/`;
      const agent = keepAliveAgent();
      // A keep-alive connection that exists before the outage must not survive it either.
      expect((await request(target, { method: 'GET', agent })).status).toBeGreaterThan(0);
      await server.setFault({ mode: 'down' });
      await expect(request(target, { body: {} })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      await expect(request(target, { body: {}, agent })).rejects.toMatchObject({
        code: expect.stringMatching(/ECONNREFUSED|ECONNRESET/),
      });
      await server.setFault({ mode: 'ok' });
      expect((await request(target, { method: 'GET' })).status).toBeGreaterThan(0);
      agent.destroy();
    });

    it(`${kind}: 429 with Retry-After, bare 429, 503, counted per mode`, async () => {
      const server =
        kind === 'otlp receiver' ? closeAfterTest(await startOtlpReceiver()) : closeAfterTest(await startFakeSentry());
      const target = kind === 'otlp receiver' ? `${server.url}/v1/traces` : `${server.url}/api/4242/envelope/`;
      await server.setFault({
        mode: '429',
        retryAfterSeconds: 7,
        headers: { 'x-sentry-rate-limits': '7:transaction' },
      });
      const limited = await request(target, { body: {} });
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('7');
      expect(limited.headers['x-sentry-rate-limits']).toBe('7:transaction');
      await server.setFault({ mode: '429', retryAfterSeconds: null });
      const bare = await request(target, { body: {} });
      expect(bare.status).toBe(429);
      expect(bare.headers['retry-after']).toBeUndefined();
      await server.setFault({ mode: '503' });
      expect((await request(target, { body: {} })).status).toBe(503);
      expect(server.rejected).toMatchObject({ '429': 2, '503': 1, hang: 0, slow: 0 });
      expect(server.requests.map((r) => [r.fault, r.status])).toEqual([
        ['429', 429],
        ['429', 429],
        ['503', 503],
      ]);
    });

    it(`${kind}: slow answers after the delay; a client that gave up is not counted as delivered`, async () => {
      const server =
        kind === 'otlp receiver' ? closeAfterTest(await startOtlpReceiver()) : closeAfterTest(await startFakeSentry());
      const made = await makeSpans();
      const url =
        kind === 'otlp receiver'
          ? `${server.url}/v1/traces`
          : (server as Awaited<ReturnType<typeof startFakeSentry>>).otlpTracesUrl;
      const headers =
        kind === 'otlp receiver' ? {} : (server as Awaited<ReturnType<typeof startFakeSentry>>).otlpTracesHeaders;
      await server.setFault({ mode: 'slow', delayMs: 300 });
      const patient = new ProtoExporter({ url, headers, timeoutMillis: 30_000 });
      expect((await exportWith(patient, made.spans)).code).toBe(ExportResultCode.SUCCESS);
      expect(server.spans).toHaveLength(2);
      await patient.shutdown();

      await server.setFault({ mode: 'slow', delayMs: 5_000 });
      const hasty = new ProtoExporter({ url, headers, timeoutMillis: 200 });
      expect((await exportWith(hasty, made.spans)).code).toBe(ExportResultCode.FAILED);
      await hasty.shutdown();
      expect(server.rejected.slow).toBeGreaterThanOrEqual(2);
      // The delayed answer would come after the client left: close() cancels it, and nothing more was stored.
      await server.close();
      expect(server.spans).toHaveLength(2);
    });

    it(`${kind}: hang never answers, and close() destroys the hung sockets`, async () => {
      const server = kind === 'otlp receiver' ? await startOtlpReceiver() : await startFakeSentry();
      const target = kind === 'otlp receiver' ? `${server.url}/v1/traces` : `${server.url}/api/4242/envelope/`;
      await server.setFault({ mode: 'hang' });
      const pending = request(target, { body: {}, timeoutMs: 60_000 });
      await server.waitForRequests(1);
      expect(server.rejected.hang).toBe(1);
      await server.close();
      await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
      expect(server.requests[0]?.status).toBeUndefined();
    });
  }
});

describe('app processes', () => {
  it('starts a fixture with a clean environment, reads LISTENING, and stops it with a signal', async () => {
    process.env['SENTRY_DSN'] = 'http://leak@127.0.0.1:1/1';
    process.env['OTEL_SERVICE_NAME'] = 'leak';
    try {
      const app = await startApp('test/kit/fixtures/kit-echo-server.mjs', {
        importRegister: false,
        env: { KIT_VALUE: 'v1' },
        args: ['--flag'],
      });
      const agent = keepAliveAgent();
      const response = await request(`${app.url}/`, { headers: { 'x-kit': '1' }, agent });
      agent.destroy();
      expect(response.status).toBe(200);
      const body = response.json as {
        envKeys: string[];
        kitValue: string;
        argv: string[];
        headers: Record<string, string>;
      };
      expect(body.kitValue).toBe('v1');
      expect(body.argv).toEqual(['--flag']);
      expect(body.headers['x-kit']).toBe('1');
      expect(body.envKeys.filter((key) => /^(SENTRY|OTEL)_/.test(key))).toEqual([]);
      expect(app.stderr()).toContain('starting on stderr');
      expect(app.stdout()).toContain(`LISTENING ${app.port}`);
      const exit = await app.kill('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
      expect((await app.waitForLine(/^GOT (\w+)$/))[1]).toBe('SIGTERM');
    } finally {
      delete process.env['SENTRY_DSN'];
      delete process.env['OTEL_SERVICE_NAME'];
    }
  });

  it('rejects with the stderr of an app that dies before listening', async () => {
    await expect(startApp('test/kit/fixtures/kit-no-listen.mjs', { importRegister: false })).rejects.toThrow(
      /boom: cannot start/,
    );
    expect(runningAppCount()).toBe(0);
  });

  it('explains a missing fixture before spawning anything', async () => {
    await expect(startApp('test/kit/fixtures/does-not-exist.mjs', { importRegister: false })).rejects.toThrow(
      /fixture not found/,
    );
    expect(runningAppCount()).toBe(0);
  });

  it('runToExit returns the exit code and output', async () => {
    const result = await runToExit('test/kit/fixtures/kit-exit.mjs', {
      importRegister: false,
      env: { KIT_EXIT_CODE: '2' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('config error: KIT_EXIT_CODE=2');
  });

  it('leaves no process behind: the cleanup hook kills apps a test did not stop', async () => {
    await startApp('test/kit/fixtures/kit-echo-server.mjs', { importRegister: false });
    expect(runningAppCount()).toBe(1);
  });

  it('(previous test cleaned up)', () => {
    expect(runningAppCount()).toBe(0);
  });
});
