// Application logs over the real wire: console, pino, winston and the OpenTelemetry logs API inside a request
// reach Sentry Logs (envelope `log` items) and the collector (/v1/logs, protobuf and JSON) with the request's
// trace and span, its user and tenant, the service resource, scrubbed; the levels, the sampled-only switch and
// the layer's own traffic decide what does not.
import { describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  request,
  startApp,
  startFakeSentry,
  startOtlpGrpcReceiver,
  startOtlpReceiver,
  useKitCleanup,
  type FakeSentry,
  type OtlpReceiver,
  type SentryLogItem,
} from '../kit/index.js';

useKitCleanup();

const APP = 'test/fixtures/logs-app.mjs';
const SOURCES = ['console', 'pino', 'winston', 'otel'] as const;
const PLANTED = 'sk-live-abcdefghijklmnopqrstuvwx';

async function backends(): Promise<{ sentry: FakeSentry; otlp: OtlpReceiver }> {
  return { sentry: closeAfterTest(await startFakeSentry()), otlp: closeAfterTest(await startOtlpReceiver()) };
}

function env(sentry: FakeSentry, otlp: OtlpReceiver, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SENTRY_DSN: sentry.dsn,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_BLRP_SCHEDULE_DELAY: '100',
    ...extra,
  };
}

const sentryText = (item: SentryLogItem, key: string): unknown => item.attributes?.[key]?.value;
const lineOf = (source: string, user: string): string => `${source} line for ${user} with`;

describe('application logs reach Sentry and the collector on the request trace', () => {
  it.each(['http/protobuf', 'http/json'] as const)(
    'console, pino, winston and the logs API over %s',
    async (protocol) => {
      const { sentry, otlp } = await backends();
      const app = await startApp(APP, { env: env(sentry, otlp, { OTEL_EXPORTER_OTLP_PROTOCOL: protocol }) });
      const response = await request(`${app.url}/api/log/alice`);
      expect(response.status).toBe(200);

      const [server] = await otlp.waitForSpans(
        (span) => span.kindName === 'server' && span.attributes['http.route'] === '/api/log/:user',
      );
      const records = await otlp.waitForLogs((r) => String(r.body).includes('for alice'), 10_000, SOURCES.length);
      for (const source of SOURCES) {
        const record = records.find((r) => String(r.body).startsWith(lineOf(source, 'alice')));
        expect(record, `${source} record at the collector`).toBeDefined();
        expect(record!.encoding).toBe(protocol === 'http/json' ? 'json' : 'protobuf');
        expect(record!.traceId).toBe(server!.traceId);
        // Emitted inside the route handler: the active span is the server span or one of its express children.
        expect(record!.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(record!.flags & 1).toBe(1);
        expect(record!.severityNumber).toBe(9);
        expect(record!.attributes).toMatchObject({ 'user.id': 'alice', 'tenant.id': 'company-alice' });
        expect(record!.resource).toMatchObject({
          'service.name': server!.resource['service.name'],
          'deployment.environment.name': 'production',
        });
        expect(String(record!.body)).toContain('Bearer [Filtered]');
        expect(String(record!.body)).not.toContain(PLANTED);
      }
      // Secrets in structured fields go by their key, as in events and spans.
      expect(records.find((r) => r.scope.name.includes('pino'))!.attributes['password']).toBe('[Filtered]');
      expect(records.find((r) => r.scope.name.includes('winston'))!.attributes['api_key']).toBe('[Filtered]');

      const items = await sentry.waitForLogs((item) => item.body.includes('for alice'), 10_000, SOURCES.length);
      for (const source of SOURCES) {
        const item = items.find((i) => i.body.startsWith(lineOf(source, 'alice')));
        expect(item, `${source} record at Sentry`).toBeDefined();
        expect(item!.trace_id).toBe(server!.traceId);
        expect(item!.level).toBe('info');
        expect(item!.severity_number).toBe(9);
        expect(sentryText(item!, 'sentry.trace.parent_span_id')).toBe(
          records.find((r) => String(r.body).startsWith(lineOf(source, 'alice')))!.spanId,
        );
        expect(sentryText(item!, 'user.id')).toBe('alice');
        expect(sentryText(item!, 'tenant.id')).toBe('company-alice');
        expect(sentryText(item!, 'service.name')).toBe(server!.resource['service.name']);
        expect(sentryText(item!, 'sentry.environment')).toBe('production');
        expect(item!.body).not.toContain(PLANTED);
      }
      expect(
        sentryText(
          items.find((i) => i.body.startsWith('pino'))!,
          'sentry.origin',
        ),
      ).toBe('auto.log.pino');
      expect(
        sentryText(
          items.find((i) => i.body.startsWith('console'))!,
          'sentry.origin',
        ),
      ).toBe('auto.log.console');
      expect(
        sentryText(
          items.find((i) => i.body.startsWith('pino'))!,
          'password',
        ),
      ).toBe('[Filtered]');
      // The planted secret appears nowhere in what either backend received.
      expect(JSON.stringify(sentry.envelopes.map((e) => e.items))).not.toContain(PLANTED);
      expect(JSON.stringify(otlp.logs, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(
        PLANTED,
      );
    },
  );

  it("over gRPC, with the traces' headers in the call metadata", async () => {
    const grpc = closeAfterTest(await startOtlpGrpcReceiver());
    const app = await startApp(APP, {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: grpc.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-team=support',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_BLRP_SCHEDULE_DELAY: '100',
      },
    });
    await request(`${app.url}/api/log/grace`);
    const [server] = await grpc.waitForSpans((span) => span.kindName === 'server');
    const records = await grpc.waitForLogs((r) => String(r.body).includes('for grace'), 10_000, SOURCES.length);
    expect(new Set(records.map((r) => r.traceId))).toEqual(new Set([server!.traceId]));
    expect(records.every((r) => r.attributes['user.id'] === 'grace')).toBe(true);
    const logCalls = grpc.requests.filter((r) => r.logCount > 0);
    expect(logCalls.length).toBeGreaterThan(0);
    expect(logCalls.every((r) => r.metadata['x-team'] === 'support')).toBe(true);
  });

  it('keeps an error log of a trace that was not sampled, and drops it only with TELEMETRY_LOGS_SAMPLED_ONLY', async () => {
    for (const sampledOnly of [false, true]) {
      const { sentry, otlp } = await backends();
      const app = await startApp(APP, {
        env: env(sentry, otlp, { SENTRY_TRACES_SAMPLE_RATE: '0', TELEMETRY_LOGS_SAMPLED_ONLY: String(sampledOnly) }),
      });
      await request(`${app.url}/api/log/bob?level=error`);
      // A record outside any trace shows the pipeline is running when the unsampled ones are expected to be gone.
      await otlp.waitForLogs((r) => String(r.body).startsWith('LISTENING'));
      await sentry.waitForLogs((i) => i.body.startsWith('LISTENING'));
      await app.kill();
      const atCollector = otlp.logs.filter((r) => String(r.body).includes('for bob'));
      const atSentry = sentry.logs.filter((i) => i.body.includes('for bob'));
      if (sampledOnly) {
        expect(atCollector).toEqual([]);
        expect(atSentry).toEqual([]);
        continue;
      }
      expect(atCollector.map((r) => r.severityNumber)).toEqual([17, 17, 17, 17]);
      expect(atSentry.map((i) => i.level)).toEqual(['error', 'error', 'error', 'error']);
      // Linked to the trace the request ran in, though no span of it was exported.
      const traceIds = new Set(atCollector.map((r) => r.traceId));
      expect(traceIds.size).toBe(1);
      expect([...traceIds][0]).toMatch(/^[0-9a-f]{32}$/);
      expect(atCollector[0]!.flags & 1).toBe(0);
      expect(new Set(atSentry.map((i) => i.trace_id))).toEqual(traceIds);
      expect(otlp.spans).toEqual([]);
    }
  });

  it('exports only records at or above TELEMETRY_LOGS, and none with off', async () => {
    const { sentry, otlp } = await backends();
    const warnApp = await startApp(APP, { env: env(sentry, otlp, { TELEMETRY_LOGS: 'warn' }) });
    await request(`${warnApp.url}/api/log/carol`);
    await request(`${warnApp.url}/api/log/dave?level=error`);
    await otlp.waitForLogs((r) => String(r.body).includes('for dave'), 10_000, SOURCES.length);
    await warnApp.kill();
    expect(otlp.logs.filter((r) => String(r.body).includes('for carol'))).toEqual([]);
    expect(sentry.logs.filter((i) => i.body.includes('for carol'))).toEqual([]);
    expect(otlp.logs.every((r) => r.severityNumber >= 13)).toBe(true);

    otlp.reset();
    sentry.reset();
    const offApp = await startApp(APP, { env: env(sentry, otlp, { TELEMETRY_LOGS: 'off' }) });
    await request(`${offApp.url}/api/log/erin?level=error`);
    await otlp.waitForSpans((span) => span.kindName === 'server');
    expect((await offApp.kill()).code).toBe(0);
    expect(otlp.logs).toEqual([]);
    expect(otlp.requests.filter((r) => r.path === '/v1/logs')).toEqual([]);
    expect(sentry.logs).toEqual([]);
    expect(offApp.stderr()).toContain('logs=off');
  });

  it("never turns the layer's own diagnostics (OTEL_LOG_LEVEL=debug, printed to the console) into records", async () => {
    const { sentry, otlp } = await backends();
    // OTEL_LOG_LEVEL=debug and SENTRY_DEBUG make both SDKs print to the console, at a level TELEMETRY_LOGS=debug
    // lets through: the OTel diag logger with the console methods saved before any patch, Sentry's through its
    // console sandbox.
    const app = await startApp(APP, {
      env: env(sentry, otlp, { OTEL_LOG_LEVEL: 'debug', SENTRY_DEBUG: 'true', TELEMETRY_LOGS: 'debug' }),
    });
    await request(`${app.url}/api/log/frank`);
    await otlp.waitForLogs((r) => String(r.body).includes('for frank'), 10_000, SOURCES.length);
    await sentry.waitForLogs((i) => i.body.includes('for frank'), 10_000, SOURCES.length);
    await app.kill();
    // The diag logger printed (to the console), and nothing it printed was captured.
    expect(app.stdout() + app.stderr()).toContain('@opentelemetry/instrumentation-http');
    expect(app.stdout() + app.stderr()).toContain('Sentry Logger');
    const bodies = [...otlp.logs.map((r) => String(r.body)), ...sentry.logs.map((i) => i.body)];
    const appLines = bodies.filter((body) => /^(LISTENING|console line|pino line|winston line|otel line)/.test(body));
    expect(bodies).toEqual(appLines);
  });
});
