// The diagnostics-channel server spans in process, over a real loopback server: the handler and the listeners
// it adds run in the span's context, a throwing listener ends the span as an error and still throws, an ignored
// request has no span, and after the stop a wrapped server passes requests through.
import { createServer, IncomingMessage, ServerResponse, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SharedContextManager } from '../../../src/telemetry/scopes/shared-storage.js';
import { startServerSpans } from '../../../src/telemetry/otel/server-spans.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
let stop: () => void = () => {};
const servers: Server[] = [];

beforeAll(() => {
  context.setGlobalContextManager(new SharedContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});
afterEach(async () => {
  stop();
  exporter.reset();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const activeSpanId = (): string | undefined => trace.getActiveSpan()?.spanContext().spanId;

describe('diagnostics-channel server spans', () => {
  it('run the handler, its continuations and the listeners it adds in the span, parented by the caller', async () => {
    stop = startServerSpans(provider, {});
    const seen: Record<string, string | undefined> = {};
    const url = await listen((req, res) => {
      seen['handler'] = activeSpanId();
      req.on('data', () => {});
      req.on('end', async () => {
        seen['end'] = activeSpanId();
        await sleep(1);
        seen['after await'] = activeSpanId();
        res.end('ok');
      });
    });
    const answer = await fetch(`${url}/upload`, {
      method: 'POST',
      body: 'x'.repeat(100_000),
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0736aa-00f067aa0ba902b7-01' },
    });
    expect(await answer.text()).toBe('ok');
    await sleep(20);
    const [span] = exporter.getFinishedSpans();
    expect(span).toMatchObject({
      name: 'POST',
      kind: SpanKind.SERVER,
      parentSpanContext: { spanId: '00f067aa0ba902b7' },
    });
    expect(span!.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0736aa');
    const id = span!.spanContext().spanId;
    expect(seen).toEqual({ handler: id, end: id, 'after await': id });
    expect(span!.attributes['http.response.status_code']).toBe(200);
  });

  it('end the span as an error when a request listener throws, and let the error through', async () => {
    stop = startServerSpans(provider, {});
    const url = await listen((req, res) => {
      if (req.url === '/boom') throw new TypeError('handler broke');
      res.end();
    });
    // The server is wrapped on the first request it announces; the throwing one is emitted by hand.
    await (await fetch(`${url}/first`)).text();
    await sleep(20);
    exporter.reset();
    const server = servers[0]!;
    const request = Object.assign(new IncomingMessage(new Socket()), { method: 'GET', url: '/boom', headers: {} });
    expect(() => server.emit('request', request, new ServerResponse(request))).toThrow('handler broke');
    const [span] = exporter.getFinishedSpans();
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler broke' });
    expect(span!.attributes['error.type']).toBe('TypeError');
    expect(span!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('make no span for an ignored request, which still runs, and none after the stop', async () => {
    const ignored: string[] = [];
    stop = startServerSpans(provider, {
      ignoreIncomingRequestHook: (request) => {
        ignored.push(request.url ?? '');
        return request.url === '/health';
      },
    });
    const url = await listen((req, res) => res.end(String(activeSpanId() ?? 'none')));
    expect(await (await fetch(`${url}/health`)).text()).toBe('none');
    expect(ignored).toEqual(['/health']);
    await (await fetch(`${url}/traced`)).text();
    await sleep(20);
    expect(exporter.getFinishedSpans().map((s) => s.attributes['url.path'])).toEqual(['/traced']);
    stop();
    await (await fetch(`${url}/after-stop`)).text();
    await sleep(20);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(ignored).toEqual(['/health', '/traced']);
  });
});
