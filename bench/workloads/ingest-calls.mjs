// The telemetry of one request of the ingest benchmark (POST /api/ingest-message as bench/workloads/ingest.lua
// sends it: a follow-up on an open ticket, answered with a confidence that triggers no business event), without
// HTTP, SQLite or the RAG index: the same 14 spans with their attributes, and the same monitoring calls in the
// same order (11 scope calls, 12 breadcrumbs). Run under whatever --import set up telemetry (the raw SDK anchor or
// ours). BENCH_CALLS (a comma list of scope, breadcrumbs, message; default scope,breadcrumbs) picks the kinds of
// calls made; `message` adds the business event a high-confidence answer sends (one Sentry message per request).
// Prints one JSON line: `cpu`, the process's CPU time per request in microseconds, export side (encoding,
// redaction, Sentry's event pipeline and upload) and GC included, the median of BENCH_ROUNDS rounds.
import { SpanKind, trace } from '@opentelemetry/api';
import * as telemetry from '../../dist/src/telemetry/index.js';

const calls = new Set((process.env.BENCH_CALLS ?? 'scope,breadcrumbs').split(',').filter(Boolean));
const unknown = [...calls].filter((kind) => !['scope', 'breadcrumbs', 'message'].includes(kind));
if (unknown.length > 0)
  throw new Error(`BENCH_CALLS: unknown kind(s) ${unknown.join(', ')}; accepted: scope, breadcrumbs, message`);
const noop = () => '';
const setUserContext = calls.has('scope') ? telemetry.setUserContext : noop;
const setTag = calls.has('scope') ? telemetry.setTag : noop;
const setContext = calls.has('scope') ? telemetry.setContext : noop;
const addBreadcrumb = calls.has('breadcrumbs') ? telemetry.addBreadcrumb : noop;
const withBusinessEvent = calls.has('message');
const { withAgentSpan, withChatSpan, withIsolation, withRetrievalSpan, withWorkflowSpan, startSpan } = telemetry;

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const COMPANY = 'empresa-001';
const TEXT = 'My invoice shows a double charge, can you refund it?';
// Between the two thresholds of business events (0.5 and 0.85), as the benchmark's follow-ups are answered.
const CONFIDENCE = 0.7;
const dbTracer = trace.getTracer('support-service.db');

function dbSpan(operation, collection) {
  const summary = `${operation} ${collection}`;
  dbTracer.startActiveSpan(
    summary,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'db.system.name': 'sqlite',
        'db.operation.name': operation,
        'db.collection.name': collection,
        'db.query.summary': summary,
        'db.namespace': 'support',
      },
    },
    (span) => span.end(),
  );
}

function agent(name, step, fn) {
  setContext('pipeline', { current_agent: name, step, total_steps: 4 });
  addBreadcrumb({ message: `${name} agent started`, category: 'pipeline', level: 'info', data: { step } });
  return withAgentSpan(name, fn, { description: 'One step of the support pipeline', conversationId: 'TICKET-1' });
}

function pipeline(ticketId) {
  withWorkflowSpan('support_pipeline', (workflow) => {
    dbSpan('SELECT', 'tickets');
    workflow.setAttribute('gen_ai.conversation.id', ticketId);
    workflow.setAttribute('support.ticket_id', ticketId);
    setContext('ticket', { ticket_id: ticketId, new_ticket: false, channel: 'web' });
    dbSpan('INSERT', 'interactions');
    addBreadcrumb({
      message: 'Follow-up on open ticket',
      category: 'ticket',
      level: 'info',
      data: { ticket_id: ticketId },
    });
    agent('Triage', 1, (span) => {
      const result = { category: 'billing', priority: 'high', sentiment: 'negative' };
      span.setAttributes({
        'support.category': result.category,
        'support.priority': result.priority,
        'support.sentiment': result.sentiment,
      });
      addBreadcrumb({ message: 'Ticket triaged', category: 'pipeline', level: 'info', data: { ...result } });
    });
    agent('Router', 2, (span) => {
      span.setAttribute('support.queue', 'billing');
      addBreadcrumb({ message: 'Ticket routed', category: 'pipeline', level: 'info', data: { queue: 'billing' } });
    });
    agent('Resolver', 3, (span) => {
      withRetrievalSpan(`kb_${COMPANY}`, TEXT, (recorder) =>
        recorder.setResults([
          { id: 'billing-refunds', score: 0.62 },
          { id: 'billing-invoices', score: 0.41 },
        ]),
      );
      addBreadcrumb({
        message: 'Queried RAG knowledge base',
        category: 'rag',
        level: 'debug',
        data: { results_count: 2, top_score: 0.62, articles: ['billing-refunds', 'billing-invoices'] },
      });
      const messages = [
        { role: 'system', content: 'You answer for Empresa.' },
        { role: 'user', content: TEXT },
      ];
      withChatSpan('local', 'support-local-1', messages, (recorder) =>
        recorder.setResult({
          responseModel: 'support-local-1',
          inputTokens: 14,
          outputTokens: 22,
          finishReasons: ['stop'],
          output: 'Duplicate charge: the second charge is refunded within 5 days.',
        }),
      );
      addBreadcrumb({
        message: 'Generated response',
        category: 'ai',
        level: 'info',
        data: { provider: 'local', model: 'support-local-1', confidence: CONFIDENCE, response_length: 62 },
      });
      span.setAttribute('support.confidence', CONFIDENCE);
      span.setAttribute('support.model_failed', false);
    });
    dbSpan('UPDATE', 'tickets');
    dbSpan('INSERT', 'interactions');
    if (withBusinessEvent) {
      // What a high-confidence answer adds (emitBusinessEvent): a Sentry message, and an event on the workflow span.
      const tags = { ticket_id: ticketId, company_id: COMPANY, confidence: String(CONFIDENCE) };
      const eventId = telemetry.captureMessage('High confidence response generated', {
        level: 'info',
        tags,
        extra: { response_length: 62 },
      });
      workflow.addEvent('High confidence response generated', {
        'sentry.level': 'info',
        'sentry.event_id': eventId,
        'support.ticket_id': ticketId,
      });
    }
    agent('Escalator', 4, (span) => {
      span.setAttribute('support.escalated', false);
      addBreadcrumb({ message: 'No escalation needed', category: 'pipeline', level: 'info' });
    });
    workflow.setAttributes({
      'support.category': 'billing',
      'support.priority': 'high',
      'support.sentiment': 'negative',
      'support.queue': 'billing',
      'support.confidence': CONFIDENCE,
      'support.escalated': false,
    });
    setContext('ticket', { ticket_id: ticketId, priority: 'high', category: 'billing', escalated: false });
    setContext('pipeline', { current_agent: null, step: 4, total_steps: 4, completed: true });
  });
}

let sequence = 0;
function request() {
  const ticketId = `TICKET-${++sequence}`;
  // The server span stands in for the HTTP instrumentation's; withIsolation gives it fresh Sentry scopes, as the
  // per-request fork does.
  withIsolation('POST /api/ingest-message', (server) => {
    server.setAttributes({
      'http.request.method': 'POST',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': 3000,
      'url.path': '/api/ingest-message',
      'user_agent.original': 'wrk',
      'client.address': '127.0.0.1',
      'network.protocol.version': '1.1',
    });
    startSpan(
      {
        name: 'request handler',
        attributes: {
          'http.route': '/api/ingest-message',
          'express.name': '/api/ingest-message',
          'express.type': 'request_handler',
        },
      },
      () => {
        dbSpan('SELECT', 'api_keys');
        setUserContext({ userId: 'key-1', companyId: COMPANY, role: 'admin' });
        setTag('company_id', COMPANY);
        addBreadcrumb({
          message: 'API key authenticated',
          category: 'auth',
          level: 'info',
          data: { company_id: COMPANY },
        });
        setTag('channel', 'web');
        setContext('message', { channel: 'web', length: TEXT.length });
        addBreadcrumb({
          message: 'Message received',
          category: 'ingest',
          level: 'info',
          data: { channel: 'web', length: TEXT.length },
        });
        pipeline(ticketId);
      },
    );
    server.setAttribute('http.response.status_code', 200);
    server.setAttribute('http.route', '/api/ingest-message');
  });
}

// Yield now and then, as a server does between requests: the export pipelines and Sentry's transport run.
async function run(count) {
  for (let i = 0; i < count; i++) {
    request();
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  await telemetry.flush(10_000);
}

await run(REQUESTS); // warm-up: JIT, pools, the first merges
const perRequest = [];
for (let round = 0; round < ROUNDS; round++) {
  const cpu0 = process.cpuUsage();
  await run(REQUESTS);
  const cpu = process.cpuUsage(cpu0);
  perRequest.push((cpu.user + cpu.system) / REQUESTS);
}
perRequest.sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({ cpu: perRequest[Math.floor(perRequest.length / 2)], rounds: perRequest, requests: sequence })}\n`,
);
process.exit(0);
