// A package of a monorepo with its own @opentelemetry/core (the test gives it another version than the layer's),
// started with the layer installed one level up; its @opentelemetry/api is the layer's.
import { createServer } from 'node:http';
import { trace } from '@opentelemetry/api';

const tracer = trace.getTracer('consumer-app');
const server = createServer((_req, res) =>
  tracer.startActiveSpan('consumer.work', (span) => {
    span.end();
    res.end('hi');
  }),
);
server.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
