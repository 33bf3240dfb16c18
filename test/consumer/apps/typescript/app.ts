// A new user's TypeScript app checked with tsc --strict against the packed package's own .d.ts files.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace, type Span } from '@opentelemetry/api';
import { captureException } from 'otel-sentry-bridge';

const tracer = trace.getTracer('consumer-app');

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/fail') {
    const eventId: string | undefined = captureException(new Error('consumer failure'));
    res.writeHead(500).end(eventId ?? 'failed');
    return;
  }
  const name = (req.url ?? '').split('/').pop() ?? '';
  tracer.startActiveSpan('consumer.work', (span: Span) => {
    span.setAttribute('consumer.name', name);
    span.end();
    res.end(`hello ${name}`);
  });
}

const server = createServer(handle);
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${(server.address() as AddressInfo).port}`));
