// `npm run demo`: a scripted day of the support service. It starts the built service under the telemetry
// bootstrap with a throwaway database, a loopback stand-in for the model (OpenAI chat completions schema) and
// one for the helpdesk webhook, sends two companies' traffic (new tickets, follow-ups, an escalation whose first
// delivery fails, an invalid request, a model outage), and prints a summary. Nothing leaves 127.0.0.1 unless
// you configured SENTRY_DSN or an OTLP endpoint yourself; with neither, traces print as console trees.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.join(root, 'dist', 'src', 'support', 'main.js');
const register = path.join(root, 'dist', 'instrumentation', 'register.js');
if (!existsSync(entry) || !existsSync(register)) {
  console.error('demo: build first (npm run build): dist/ is missing');
  process.exit(1);
}

function listen(handler) {
  return new Promise((resolve) => {
    const server = createServer(handler);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function readJson(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')));
  });
}

// The model stand-in answers from the first article in the prompt, like a well-grounded model would.
const model = { failing: false, calls: 0 };
const modelServer = await listen(async (req, res) => {
  const body = await readJson(req);
  model.calls += 1;
  if (model.failing) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'model overloaded', type: 'server_error' } }));
    return;
  }
  const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
  const article = /\[1\] [^\n]*\/ ([^\n]+)\n([^.!?\n]+[.!?])/.exec(system);
  const content = article ? `${article[1]}: ${article[2].trim()}` : 'A specialist will follow up on your question.';
  const words = (t) => t.split(/\s+/).filter(Boolean).length;
  const prompt = body.messages.reduce((n, m) => n + words(m.content), 0);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: `chatcmpl-demo-${model.calls}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: prompt, completion_tokens: words(content), total_tokens: prompt + words(content) },
    }),
  );
});

// The helpdesk stand-in is down for the first delivery, then accepts: the retry loop delivers the queued one.
const helpdesk = { received: 0, accepted: 0 };
const helpdeskServer = await listen(async (req, res) => {
  await readJson(req);
  helpdesk.received += 1;
  const ok = helpdesk.received > 1;
  if (ok) helpdesk.accepted += 1;
  res.writeHead(ok ? 202 : 500, { 'content-type': 'application/json' });
  res.end(JSON.stringify(ok ? { accepted: true } : { error: 'helpdesk maintenance' }));
});

const dataDir = mkdtempSync(path.join(tmpdir(), 'support-demo-'));
const telemetryConfigured = [
  'SENTRY_DSN',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'TELEMETRY_EXPORTERS',
].some((name) => process.env[name]);
const child = spawn(process.execPath, ['--enable-source-maps', '--import', register, entry], {
  cwd: root,
  env: {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    NODE_ENV: 'development',
    DATABASE_PATH: path.join(dataDir, 'support.db'),
    OPENAI_API_KEY: 'demo-key',
    OPENAI_BASE_URL: `http://127.0.0.1:${modelServer.address().port}/v1`,
    OPENAI_MODEL: 'gpt-4o-mini',
    OPENAI_MAX_RETRIES: '1',
    OPENAI_TIMEOUT_MS: '3000',
    ESCALATION_WEBHOOK_URL: `http://127.0.0.1:${helpdeskServer.address().port}/escalations`,
    ESCALATION_RETRY_INTERVAL_MS: '1000',
    ...(telemetryConfigured ? {} : { TELEMETRY_EXPORTERS: 'console' }),
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});

const events = new Map();
const ready = new Promise((resolve, reject) => {
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    process.stdout.write(chunk);
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) {
      const listening = /^LISTENING (\d+)/.exec(line);
      if (listening) resolve(Number(listening[1]));
      const event = /^business event "([^"]+)"/.exec(line);
      if (event) events.set(event[1], (events.get(event[1]) ?? 0) + 1);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => process.stderr.write(chunk));
  child.once('exit', (code) => reject(new Error(`the service exited with code ${code} before listening`)));
});
const port = await ready;

const KEYS = { empresa_001: 'dev-key-empresa-001', empresa_002: 'dev-key-empresa-002' };
const day = [
  { company: 'empresa_001', channel: 'web', user: 'ana', text: 'How do I request a refund for my order?' },
  { company: 'empresa_002', channel: 'email', user: 'bruno', text: 'I forgot my password, how do I reset it?' },
  { company: 'empresa_001', channel: 'whatsapp', user: 'carla', text: 'Where can I track my package?' },
  { company: 'empresa_001', channel: 'web', user: 'ana', text: 'And how long does the refund take to arrive?' },
  { company: 'empresa_002', channel: 'telegram', user: 'diego', text: 'How do I cancel my subscription plan?' },
  {
    company: 'empresa_001',
    channel: 'email',
    user: 'elena',
    text: 'This is unacceptable! My package arrived damaged and I need a replacement urgently.',
  },
  { company: 'empresa_002', channel: 'web', user: 'fabio', text: '' },
  { company: 'empresa_002', channel: 'whatsapp', user: 'gabi', text: 'Can I upgrade my plan today?', modelDown: true },
  { company: 'empresa_001', channel: 'telegram', user: 'hugo', text: 'Do you sell purple elephants on Mars?' },
  {
    company: 'empresa_002',
    channel: 'email',
    user: 'bruno',
    text: 'Thanks! The reset link worked, and what about changing my email address?',
  },
];

const results = [];
for (const step of day) {
  model.failing = Boolean(step.modelDown);
  const response = await fetch(`http://127.0.0.1:${port}/api/ingest-message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': KEYS[step.company] },
    body: JSON.stringify({ channel: step.channel, text: step.text, external_user_id: step.user }),
  });
  const body = await response.json();
  results.push({ step, status: response.status, traceId: response.headers.get('x-trace-id'), body });
}
model.failing = false;

// Give the retry loop a moment to deliver the escalation whose first delivery failed: wait until no escalated
// ticket has a pending escalation, as the API reports it.
async function pendingEscalations() {
  let pending = 0;
  for (const r of results.filter((x) => x.body.escalated)) {
    const response = await fetch(`http://127.0.0.1:${port}/api/tickets/${r.body.ticket_id}`, {
      headers: { 'x-api-key': KEYS[r.step.company] },
    });
    const ticket = await response.json();
    pending += ticket.escalations.filter((e) => e.status === 'pending').length;
  }
  return pending;
}
const deadline = Date.now() + 8000;
let pending = await pendingEscalations();
while (pending > 0 && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 250));
  pending = await pendingEscalations();
}

child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
modelServer.close();
helpdeskServer.close();
rmSync(dataDir, { recursive: true, force: true });

const pad = (s, n) => String(s).padEnd(n);
console.log('\n=== Support demo: summary ===');
console.log(
  `requests: ${results.length} (${results.filter((r) => r.status === 200).length} answered 200, ${results.filter((r) => r.status !== 200).length} rejected)`,
);
for (const r of results) {
  const outcome =
    r.status === 200 ? `${r.body.status}, confidence ${r.body.confidence}` : `${r.status} ${r.body.error}`;
  console.log(
    `  ${pad(r.step.company, 12)} ${pad(r.step.channel, 9)} ${pad(r.step.user, 6)} ${pad(outcome, 30)} trace ${r.traceId ?? '(not sampled)'}`,
  );
}
const escalated = results.filter((r) => r.body.escalated).length;
console.log(
  `escalations: ${escalated} answers escalated; helpdesk deliveries ${helpdesk.received} (${helpdesk.accepted} accepted, ${helpdesk.received - helpdesk.accepted} failed), ${pending} still queued`,
);
console.log(`model calls: ${model.calls} (one outage, answered with a hand-off and escalated)`);
console.log(`business events sent: ${[...events].map(([name, n]) => `${name} x${n}`).join(', ') || 'none'}`);
console.log(
  telemetryConfigured
    ? 'telemetry: your SENTRY_*/OTEL_* configuration'
    : 'telemetry: console trees above (set SENTRY_DSN or OTEL_EXPORTER_OTLP_ENDPOINT to export)',
);
