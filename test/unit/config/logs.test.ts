import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_LOGS_ENDPOINT_WARNING } from '../../../src/telemetry/config/logs.js';
import { cleanupApps, DSN, load, loadError, makeApp } from './config-helpers.js';

let app: string;
beforeAll(() => {
  app = makeApp();
});
afterAll(cleanupApps);

describe('logs settings', () => {
  it('defaults to info with a backend, off without one or with the SDK disabled', async () => {
    expect((await load(app, { SENTRY_DSN: DSN })).logs).toMatchObject({
      level: 'info',
      sampledOnly: false,
      rateLimit: 1000,
    });
    expect((await load(app, { SENTRY_ENVIRONMENT: 'development' })).logs.level).toBe('info');
    expect((await load(app, { TELEMETRY_EXPORTERS: 'none' })).logs.level).toBe('off');
    expect((await load(app, { SENTRY_DSN: DSN, OTEL_SDK_DISABLED: 'true', TELEMETRY_LOGS: 'debug' })).logs.level).toBe(
      'off',
    );
    const chosen = await load(app, {
      SENTRY_DSN: DSN,
      TELEMETRY_LOGS: 'WARN',
      TELEMETRY_LOGS_SAMPLED_ONLY: 'yes',
      TELEMETRY_LOGS_RATE_LIMIT: '50',
    });
    expect(chosen.logs).toMatchObject({ level: 'warn', sampledOnly: true, rateLimit: 50 });
  });

  it('sends logs to the base endpoint + /v1/logs with the generic settings, OTEL_EXPORTER_OTLP_LOGS_* winning', async () => {
    const config = await load(app, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Basic%20generic,x-team=ops',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-traces=1',
      OTEL_EXPORTER_OTLP_LOGS_HEADERS: 'Authorization=Bearer%20logs',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
      OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '3000',
    });
    expect(config.logs.otlp).toEqual({
      url: 'http://collector:4318/v1/logs',
      headers: { Authorization: 'Bearer logs', 'x-team': 'ops' },
      protocol: 'http/json',
      timeoutMillis: 3000,
      compression: 'gzip',
    });
    // The traces exporter keeps its own settings.
    expect(config.otlp).toMatchObject({ tracesUrl: 'http://collector:4318/v1/traces', timeoutMillis: 10_000 });
    expect(config.otlp.headers).toEqual({ authorization: 'Basic generic', 'x-team': 'ops', 'x-traces': '1' });

    const own = await load(app, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://loki:3100/otlp/v1/logs',
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'grpc',
    });
    expect(own.logs.otlp).toMatchObject({ url: 'http://loki:3100/otlp/v1/logs', protocol: 'grpc' });
    expect(own.otlp.protocol).toBe('http/protobuf');
  });

  it('warns when only a traces endpoint is set, and uses the default address for OTEL_TRACES_EXPORTER=otlp', async () => {
    const tracesOnly = await load(app, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' });
    expect(tracesOnly.logs.otlp.url).toBeUndefined();
    expect(tracesOnly.warnings).toContain(NO_LOGS_ENDPOINT_WARNING);
    const quiet = await load(app, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces',
      TELEMETRY_LOGS: 'off',
    });
    expect(quiet.warnings).not.toContain(NO_LOGS_ENDPOINT_WARNING);
    const byDefault = await load(app, { OTEL_TRACES_EXPORTER: 'otlp' });
    expect(byDefault.logs.otlp.url).toBe('http://localhost:4318/v1/logs');
  });

  it('reads the OTEL_BLRP_* queue settings', async () => {
    const config = await load(app, {
      SENTRY_DSN: DSN,
      OTEL_BLRP_MAX_QUEUE_SIZE: '100',
      OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '10',
      OTEL_BLRP_SCHEDULE_DELAY: '0',
      OTEL_BLRP_EXPORT_TIMEOUT: '500',
    });
    expect(config.logs.batch).toEqual({
      maxQueueSize: 100,
      maxExportBatchSize: 10,
      scheduledDelayMillis: 0,
      exportTimeoutMillis: 500,
    });
    expect((await load(app, { SENTRY_DSN: DSN })).logs.batch).toEqual({
      maxQueueSize: 2048,
      maxExportBatchSize: 512,
      scheduledDelayMillis: 1000,
      exportTimeoutMillis: 10_000,
    });
  });

  it.each([
    [{ TELEMETRY_LOGS: 'verbose' }, 'TELEMETRY_LOGS', 'off, error, warn, info, debug'],
    [{ TELEMETRY_LOGS_SAMPLED_ONLY: 'sometimes' }, 'TELEMETRY_LOGS_SAMPLED_ONLY', 'true, false'],
    [{ TELEMETRY_LOGS_RATE_LIMIT: '0' }, 'TELEMETRY_LOGS_RATE_LIMIT', 'a whole number >= 1'],
    [
      { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'loki:3100' },
      'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
      'an http:// or https:// URL',
    ],
    [{ OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'udp' }, 'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL', 'http/protobuf, http/json, grpc'],
    [
      { OTEL_BLRP_MAX_QUEUE_SIZE: '10', OTEL_BLRP_MAX_EXPORT_BATCH_SIZE: '20' },
      'OTEL_BLRP_MAX_EXPORT_BATCH_SIZE',
      '<= OTEL_BLRP_MAX_QUEUE_SIZE (10)',
    ],
  ])('rejects %j, naming %s', async (env, variable, accepted) => {
    const error = await loadError(app, env);
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(accepted);
  });

  it('reports an invalid generic OTLP setting once, though traces and logs both read it', async () => {
    const error = await loadError(app, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/thrift',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x',
    });
    expect(error.problems).toHaveLength(2);
  });
});
