// The doctor's collector-endpoint check on configurations loaded by the real loadConfig.
import { afterEach, describe, expect, it } from 'vitest';
import { otlpEndpointCheck } from '../../../src/cli/doctor/otlp-endpoint.js';
import { loadConfig } from '../../../src/telemetry/config/index.js';
import { cleanupApps, makeApp } from '../config/config-helpers.js';

afterEach(cleanupApps);

async function verdict(env: Record<string, string>) {
  const dir = makeApp();
  return otlpEndpointCheck(env, await loadConfig({ env, cwd: dir, appPath: dir }));
}

describe('otlp.endpoint', () => {
  it('fails a base endpoint that already ends in /v1/traces, naming the doubled URL and the base to use', async () => {
    const result = await verdict({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/v1/traces' });
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('http://collector:4318/v1/traces/v1/traces');
    expect(result.fix).toContain('set it to http://collector:4318,');
    expect((await verdict({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).status).toBe('ok');
    expect((await verdict({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).status).toBe(
      'ok',
    );
  });

  it('asks "4317 vs 4318?" when gRPC points at the HTTP port or HTTP at the gRPC port', async () => {
    const grpc = await verdict({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
    });
    expect(grpc).toMatchObject({ status: 'warn', summary: expect.stringContaining('4317 vs 4318?') });
    expect(grpc.fix).toContain('use port 4317');
    const http = await verdict({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317' });
    expect(http).toMatchObject({ status: 'warn', summary: expect.stringContaining('4317 vs 4318?') });
    expect(http.fix).toContain('use port 4318');
    expect(
      (await verdict({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }))
        .status,
    ).toBe('ok');
  });
});
