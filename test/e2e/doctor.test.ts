// `otel-sentry-bridge doctor` as a user runs it: the built bin in a child process, against the fake Sentry and
// an OTLP receiver on loopback, healthy and broken.
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  runToExit,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
  type RunResult,
} from '../kit/index.js';
import { startSelfSignedServer, startStatusServer } from '../fixtures/reliability-backends.js';

useKitCleanup();

const BIN = 'dist/src/cli/main.js';

interface JsonCheck {
  id: string;
  status: 'ok' | 'warn' | 'fail';
  summary: string;
  fix?: string;
  details?: Record<string, string>;
}
interface JsonReport {
  ok: boolean;
  counts: Record<string, number>;
  checks: JsonCheck[];
}

async function doctor(
  env: Record<string, string>,
  args: string[] = ['--json'],
  timeoutMs = 30_000,
): Promise<RunResult & { report?: JsonReport }> {
  const run = await runToExit(BIN, { importRegister: false, args: ['doctor', ...args], env, timeoutMs });
  let report: JsonReport | undefined;
  if (args.includes('--json')) report = JSON.parse(run.stdout) as JsonReport;
  return report ? { ...run, report } : run;
}

function byId(report: JsonReport | undefined, id: string): JsonCheck {
  const found = report?.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${JSON.stringify(report?.checks.map((c) => c.id))}`);
  return found;
}

/** A port with nothing listening: bound, then closed. */
async function deadPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('otel-sentry-bridge doctor', () => {
  it('passes a healthy setup, and the test message and test span arrive with the ids it printed', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    const run = await doctor({
      SENTRY_DSN: sentry.dsn,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      TELEMETRY_EXPORTERS: 'sentry,otlp',
      SENTRY_ENVIRONMENT: 'staging',
      SENTRY_TRACES_SAMPLE_RATE: '0.2',
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.report?.ok).toBe(true);
    expect(run.report?.counts.fail).toBe(0);
    for (const id of [
      'node',
      'esm-hook',
      'config',
      'sentry.dsn',
      'sampling',
      'exporters',
      'logs',
      'reach.sentry.envelope',
      'reach.sentry.otlp',
      'reach.collector',
      'reach.collector.logs',
    ]) {
      expect({ id, status: byId(run.report, id).status }).toEqual({ id, status: 'ok' });
    }
    const message = byId(run.report, 'send.sentry.message');
    expect(message.status).toBe('ok');
    const eventId = message.details?.event_id ?? '';
    expect(eventId).toMatch(/^[0-9a-f]{32}$/);
    const [event] = await sentry.waitForEvents((e) => e.event_id === eventId);
    expect(event?.message).toBe('otel-sentry-bridge doctor: test message');
    expect(event?.environment).toBe('staging');

    const sentrySpan = byId(run.report, 'send.span.sentry');
    const otlpSpan = byId(run.report, 'send.span.otlp');
    expect(sentrySpan.status).toBe('ok');
    expect(otlpSpan.status).toBe('ok');
    const traceId = sentrySpan.details?.trace_id ?? '';
    expect(otlpSpan.details?.trace_id).toBe(traceId);
    await sentry.waitForSpans((s) => s.traceId === traceId && s.name === 'otel-sentry-bridge doctor test span');
    await collector.waitForSpans((s) => s.traceId === traceId && s.name === 'otel-sentry-bridge doctor test span');

    // A test log record reached both logs backends, found by the trace id the doctor printed.
    const collectorLog = byId(run.report, 'send.log.otlp');
    const sentryLog = byId(run.report, 'send.log.sentry');
    expect([collectorLog.status, sentryLog.status]).toEqual(['ok', 'ok']);
    const logTraceId = collectorLog.details?.trace_id ?? '';
    expect(logTraceId).toMatch(/^[0-9a-f]{32}$/);
    expect(sentryLog.details?.trace_id).toBe(logTraceId);
    await collector.waitForLogs(
      (r) => r.traceId === logTraceId && r.body === 'otel-sentry-bridge doctor: test log record',
    );
    await sentry.waitForLogs(
      (i) => i.trace_id === logTraceId && i.body === 'otel-sentry-bridge doctor: test log record',
    );
    expect(byId(run.report, 'logs').summary).toMatch(
      /^logs at info and above: sentry -> Sentry Logs .*otlp -> http:\/\/127\.0\.0\.1:\d+\/v1\/logs \(http\/protobuf\)/,
    );

    // The DSN key is never printed whole, in JSON or text.
    expect(run.stdout).not.toContain(sentry.publicKey);
    const text = await doctor({ SENTRY_DSN: sentry.dsn, SENTRY_ENVIRONMENT: 'staging' }, []);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/ok {4}send\.sentry\.message +test message sent, event id [0-9a-f]{32}/);
    expect(text.stdout + text.stderr).not.toContain(sentry.publicKey);
  });

  it('fails with exit 1 when Sentry and the collector are down, naming each endpoint', async () => {
    const port = await deadPort();
    const run = await doctor(
      {
        SENTRY_DSN: `http://0123456789abcdef0123456789abcdef@127.0.0.1:${port}/4242`,
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        SENTRY_ENVIRONMENT: 'staging',
      },
      ['--json', '--timeout-ms', '2000'],
    );
    expect(run.code).toBe(1);
    for (const id of [
      'reach.sentry.envelope',
      'reach.sentry.otlp',
      'reach.collector',
      'reach.collector.logs',
      'send.sentry.message',
      'send.span.sentry',
      'send.span.otlp',
      'send.log.otlp',
      'send.log.sentry',
    ]) {
      expect({ id, status: byId(run.report, id).status }).toEqual({ id, status: 'fail' });
    }
    expect(byId(run.report, 'reach.collector').summary).toContain('connection refused');
    expect(byId(run.report, 'reach.collector.logs').summary).toContain('connection refused');
    expect(run.stdout).not.toContain('0123456789abcdef0123456789abcdef');
  });

  it('fails on a malformed DSN without printing the key, and lists every invalid variable', async () => {
    const run = await doctor({
      SENTRY_DSN: 'https://abcdef0123456789abcdef0123456789@sentry.example.com',
      SENTRY_TRACES_SAMPLE_RATE: '1.5',
    });
    expect(run.code).toBe(1);
    const config = byId(run.report, 'config');
    expect(config.status).toBe('fail');
    expect(config.fix).toContain('SENTRY_DSN=');
    expect(config.fix).toContain('SENTRY_TRACES_SAMPLE_RATE=');
    expect(byId(run.report, 'sentry.dsn').status).toBe('fail');
    expect(run.stdout).not.toContain('abcdef0123456789abcdef0123456789');
  });

  it('bounds a hanging collector by the timeout and reports it', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const collector = closeAfterTest(await startOtlpReceiver());
    await collector.setFault({ mode: 'hang' });
    const started = Date.now();
    const run = await doctor(
      { SENTRY_DSN: sentry.dsn, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, SENTRY_ENVIRONMENT: 'staging' },
      ['--json', '--timeout-ms', '1500'],
    );
    // Functional bound: two network phases of 1.5 s each plus process start, far below the exporter's own 10 s.
    expect(Date.now() - started).toBeLessThan(9000);
    expect(run.code).toBe(1);
    expect(byId(run.report, 'reach.collector').summary).toContain('no answer within 1500 ms');
    expect(byId(run.report, 'send.span.otlp').status).toBe('fail');
    expect(byId(run.report, 'send.span.sentry').status).toBe('ok');
    expect(byId(run.report, 'send.sentry.message').status).toBe('ok');
  });

  it('reports a rate-limited Sentry, a collector answering 500 and a self-signed certificate', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    await sentry.setFault({ mode: '429', retryAfterSeconds: 30 });
    const failing = closeAfterTest(await startStatusServer(500));
    const run = await doctor({
      SENTRY_DSN: sentry.dsn,
      OTEL_EXPORTER_OTLP_ENDPOINT: failing.url,
      SENTRY_ENVIRONMENT: 'staging',
    });
    expect(run.code).toBe(1);
    expect(byId(run.report, 'reach.sentry.envelope')).toMatchObject({ status: 'warn' });
    expect(byId(run.report, 'reach.sentry.envelope').summary).toContain('Retry-After 30');
    expect(byId(run.report, 'send.sentry.message').summary).toContain('HTTP 429');
    expect(byId(run.report, 'reach.collector').summary).toContain('HTTP 500');

    const tls = closeAfterTest(await startSelfSignedServer());
    const tlsRun = await doctor({ OTEL_EXPORTER_OTLP_ENDPOINT: tls.url, SENTRY_ENVIRONMENT: 'staging' });
    expect(tlsRun.code).toBe(1);
    const reach = byId(tlsRun.report, 'reach.collector');
    expect(reach.summary).toContain('TLS certificate not trusted');
    expect(reach.fix).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('refuses a wrong DSN key at both Sentry endpoints', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const wrong = sentry.dsn.replace(sentry.publicKey, 'ffffffffffffffffffffffffffffffff');
    const run = await doctor({ SENTRY_DSN: wrong, SENTRY_ENVIRONMENT: 'staging' });
    expect(run.code).toBe(1);
    expect(byId(run.report, 'reach.sentry.envelope').summary).toContain('refused the credentials (HTTP 401)');
    expect(byId(run.report, 'reach.sentry.otlp').summary).toContain('HTTP 401');
    expect(byId(run.report, 'send.sentry.message').summary).toContain('HTTP 401');
  });

  it('warns, without failing, about leaking OTLP headers, rate 1.0 in production, PII and GenAI content', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const run = await doctor(
      {
        SENTRY_DSN: sentry.dsn,
        OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer collector-secret-token',
        TELEMETRY_EXPORTERS: 'sentry',
        SENTRY_SEND_DEFAULT_PII: 'true',
        TELEMETRY_CAPTURE_GENAI_CONTENT: 'true',
      },
      ['--json', '--no-send'],
    );
    expect(run.code).toBe(0);
    expect(byId(run.report, 'otlp.headers').status).toBe('warn');
    expect(byId(run.report, 'sampling').summary).toContain('1.0 in production');
    expect(byId(run.report, 'pii').status).toBe('warn');
    expect(byId(run.report, 'genai.content').status).toBe('warn');
    expect(run.stdout).not.toContain('collector-secret-token');
    expect(run.report?.checks.some((c) => c.id.startsWith('send.'))).toBe(false);

    // Headers sent in clear text to a remote collector.
    const remote = await doctor(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.example.com:4318',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=abcdefghijkl',
        SENTRY_ENVIRONMENT: 'staging',
      },
      ['--json', '--no-send', '--timeout-ms', '1000'],
    );
    expect(byId(remote.report, 'otlp.headers').summary).toContain('clear text');
    expect(remote.stdout).not.toContain('abcdefghijkl');
  });

  it('answers usage errors with exit 2', async () => {
    const run = await runToExit(BIN, { importRegister: false, args: ['doctor', '--timeout-ms', 'soon'] });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--timeout-ms needs a whole number');
    expect((await runToExit(BIN, { importRegister: false, args: ['frobnicate'] })).code).toBe(2);
  });
});
