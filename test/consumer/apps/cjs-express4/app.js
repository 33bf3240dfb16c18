// A new user's CommonJS express 4 app: require() everywhere, the layer loaded by --import.
const { trace } = require('@opentelemetry/api');
const express = require('express');
const { captureException } = require('otel-sentry-bridge');

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
