// What start-up leaves unloaded until its feature is used: the OpenTelemetry logs SDK with TELEMETRY_LOGS=off, the
// OTLP log serializers until the first batch.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, runToExit, startFakeSentry, useKitCleanup } from '../kit/index.js';

useKitCleanup();

async function loadedPackages(env: Record<string, string>): Promise<string[]> {
  const sentry = closeAfterTest(await startFakeSentry());
  const result = await runToExit('test/fixtures/loaded-packages.mjs', {
    env: { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'sentry', ...env },
    // The recorder before the bootstrap, so that ES modules (the 3.x line's packages) are listed too.
    importRegister: false,
    nodeArgs: ['--import', './test/fixtures/record-loads.mjs', '--import', './dist/instrumentation/register.js'],
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(/^LOADED (.*)$/m.exec(result.stdout)?.[1] ?? '[]') as string[];
}

describe('start-up with a feature off', () => {
  it('loads the logs SDK only when logs are on', async () => {
    expect(await loadedPackages({})).toContain('@opentelemetry/sdk-logs');
    expect(await loadedPackages({ TELEMETRY_LOGS: 'off' })).not.toContain('@opentelemetry/sdk-logs');
  });

  it('loads the OTLP log serializers (and the metrics SDK they require) for the first batch, not at start-up', async () => {
    const loaded = await loadedPackages({
      TELEMETRY_EXPORTERS: 'sentry,otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    });
    expect(loaded).toContain('@opentelemetry/sdk-logs');
    expect(loaded).not.toContain('@opentelemetry/otlp-transformer');
    expect(loaded).not.toContain('@opentelemetry/sdk-metrics');
  });
});
