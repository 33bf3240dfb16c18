// A new user's plain node:http app (no framework): the server span comes from the HTTP instrumentation alone.
import { createServer } from 'node:http';
import { trace } from '@opentelemetry/api';
import { captureException } from 'otel-sentry-bridge';

const tracer = trace.getTracer('consumer-app');
const server = createServer((req, res) => {
  if (req.url === '/fail') {
    captureException(new Error('consumer failure'));
    res.writeHead(500).end('failed');
    return;
  }
  const name = (req.url ?? '').split('/').pop();
  tracer.startActiveSpan('consumer.work', (span) => {
    span.setAttribute('consumer.name', name);
    span.end();
    res.end(`hello ${name}`);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
