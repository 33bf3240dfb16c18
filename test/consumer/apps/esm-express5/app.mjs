// A new user's ESM express 5 app: its own @opentelemetry/api, the layer's monitoring API, nothing else.
import { trace } from '@opentelemetry/api';
import express from 'express';
import { captureException } from 'otel-sentry-bridge';

const tracer = trace.getTracer('consumer-app');
const app = express();
app.get('/hello/:name', (req, res) => {
  tracer.startActiveSpan('consumer.work', (span) => {
    span.setAttribute('consumer.name', req.params.name);
    span.end();
    res.send(`hello ${req.params.name}`);
  });
});
app.get('/fail', (_req, res) => {
  captureException(new Error('consumer failure'));
  res.status(500).send('failed');
});
const server = app.listen(0, '127.0.0.1', () => console.log(`LISTENING ${server.address().port}`));
