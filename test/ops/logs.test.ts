// The support service's log records through the ops pipeline: service -> agent (/v1/logs) -> a gateway's logs
// pipeline (redaction) -> Sentry's OTLP logs endpoint, on the real Collector. Logs are not tail-sampled: the line
// of a request whose trace was not sampled arrives as well, with that trace's id.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerPath, repoRoot, request, startApp, type AppProcess, type ReceivedLogRecord } from '../kit/index.js';
import { startOpsStack, type OpsStack } from './stack.js';

const otelcol = inject('otelcolBin');
const SERVICE = path.join(repoRoot, 'examples', 'support-service', 'dist', 'main.js');
const KEY = 'dev-key-empresa-001';

let stack: OpsStack;
let app: AppProcess;

async function ingest(traceparent: string, user: string): Promise<void> {
  const response = await request(`${app.url}/api/ingest-message`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json', traceparent },
    body: JSON.stringify({ channel: 'web', text: 'Where is my order?', external_user_id: user }),
  });
  if (response.status !== 200) throw new Error(`ingest answered ${response.status}: ${response.text}`);
}

describe('log records of the support service through agent -> gateways -> Sentry OTLP logs', () => {
  beforeAll(async () => {
    if (!existsSync(SERVICE) || !existsSync(registerPath)) {
      throw new Error(`the support service is not built (${SERVICE}, ${registerPath}): run \`npm run build\` first`);
    }
    stack = await startOpsStack(otelcol);
    app = await startApp(SERVICE, {
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        NODE_ENV: 'development',
        DATABASE_PATH: path.join(mkdtempSync(path.join(tmpdir(), 'osb-ops-logs-')), 'support.db'),
        OTEL_SERVICE_NAME: 'support-api',
        // As in ops/docker-compose.yml: spans and records to the agent only, TELEMETRY_LOGS at its default.
        TELEMETRY_EXPORTERS: 'otlp',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${stack.agentHttpPort}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        SENTRY_DSN: stack.sentry.dsn,
        SENTRY_TRACES_SAMPLE_RATE: '1',
        OTEL_BLRP_SCHEDULE_DELAY: '100',
      },
      timeoutMs: 30_000,
    });
  });

  afterAll(async () => {
    await app?.kill();
    await stack?.stop();
  });

  it("delivers each request's log line with its trace id, sampled or not, to Sentry's OTLP logs endpoint", async () => {
    const sampled = '4bf92f3577b34da6a3ce929d0e0e4736';
    const unsampled = '0af7651916cd43dd8448eb211c80319c';
    // Two users: a second message of one user joins its open ticket and logs no "New ticket created".
    await ingest(`00-${sampled}-00f067aa0ba902b7-01`, 'logs-user-1');
    await ingest(`00-${unsampled}-b7ad6b7169203331-00`, 'logs-user-2');

    const isTicketLine = (traceId: string) => (r: ReceivedLogRecord) =>
      r.traceId === traceId && String(r.body).startsWith('business event "New ticket created"');
    const wait = (traceId: string): Promise<ReceivedLogRecord[]> =>
      stack.sentry.waitForOtlpLogs(isTicketLine(traceId), 60_000).catch((error: Error) => {
        throw new Error(`${error.message}\n${stack.logs()}\n--- app stderr\n${app.stderr().slice(-3000)}`);
      });
    const [ofSampled] = await wait(sampled);
    const [ofUnsampled] = await wait(unsampled);
    expect(ofSampled!.flags & 1).toBe(1);
    expect(ofUnsampled!.flags & 1).toBe(0);
    for (const record of [ofSampled!, ofUnsampled!]) {
      expect(record.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(record.resource['service.name']).toBe('support-api');
      expect(record.scope.name).toBe('otel-sentry-bridge/console');
      expect(record.severityText).toBe('INFO');
      // The service sends its command line (the process detector); the gateway's resource/redact drops it.
      expect(record.resource['process.runtime.name']).toBe('nodejs');
      expect(record.resource['process.command_args']).toBeUndefined();
    }
    const uploads = stack.sentry.requests.filter((r) => r.endpoint === 'otlp-logs');
    expect(uploads.length).toBeGreaterThan(0);
    expect(
      uploads.every((r) => r.contentType === 'application/x-protobuf' && r.encoding === 'gzip' && r.authorized),
    ).toBe(true);
  });
});
