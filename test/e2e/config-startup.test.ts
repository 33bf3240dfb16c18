// Invalid configuration stops start-up before any application code runs, with a message naming the variable,
// the (masked) value and what is accepted; valid combinations start.
import { describe, expect, it } from 'vitest';
import { closeAfterTest, runToExit, startApp, startOtlpReceiver, useKitCleanup } from '../kit/index.js';

useKitCleanup();

const APP = 'test/fixtures/http-app.mjs';
const SECRET_KEY = 'f00dfeedf00dfeedf00dfeedf00dfeed';

const invalid: Array<[string, Record<string, string>, RegExp]> = [
  ['a non-numeric rate', { SENTRY_TRACES_SAMPLE_RATE: 'abc' }, /SENTRY_TRACES_SAMPLE_RATE/],
  ['a rate above 1', { SENTRY_TRACES_SAMPLE_RATE: '1.5' }, /SENTRY_TRACES_SAMPLE_RATE/],
  ['a malformed DSN', { SENTRY_DSN: `https://${SECRET_KEY}@/nope` }, /SENTRY_DSN/],
  ['an unknown exporter', { TELEMETRY_EXPORTERS: 'zipkin' }, /TELEMETRY_EXPORTERS/],
  ['a non-http endpoint', { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://collector:4318' }, /OTEL_EXPORTER_OTLP_ENDPOINT/],
  ['sentry without a DSN', { TELEMETRY_EXPORTERS: 'sentry' }, /TELEMETRY_EXPORTERS/],
  ['an unsupported propagator', { OTEL_PROPAGATORS: 'b3' }, /OTEL_PROPAGATORS/],
  [
    'a config module that throws',
    { TELEMETRY_CONFIG: 'test/fixtures/config/throwing.config.mjs' },
    /TELEMETRY_CONFIG[\s\S]*exploded/,
  ],
];

describe('invalid configuration', () => {
  for (const [label, env, pattern] of invalid) {
    it(`stops start-up on ${label}`, async () => {
      const result = await runToExit(APP, { env });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('otel-sentry-bridge: invalid configuration');
      expect(result.stderr).toMatch(pattern);
      expect(result.stderr).not.toContain(SECRET_KEY);
      // No application code ran.
      expect(result.stdout).not.toContain('LISTENING');
    });
  }
});

describe('valid configurations start', () => {
  const valid: Array<[string, (otlp: string) => Record<string, string>]> = [
    ['no exporter in production', () => ({ NODE_ENV: 'production' })],
    ['console in development', () => ({ NODE_ENV: 'development' })],
    ['otlp over protobuf', (otlp) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp })],
    ['otlp over JSON', (otlp) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })],
    ['sentry and otlp', (otlp) => ({ SENTRY_DSN: 'http://abc@127.0.0.1:9/1', OTEL_EXPORTER_OTLP_ENDPOINT: otlp })],
    ['a config module', () => ({ TELEMETRY_CONFIG: 'test/fixtures/config/sampler.config.mjs' })],
  ];
  for (const [label, env] of valid) {
    it(`starts with ${label}`, async () => {
      const receiver = closeAfterTest(await startOtlpReceiver());
      const app = await startApp(APP, { env: env(receiver.url) });
      expect(app.stderr()).toMatch(/^otel-sentry-bridge \S+: service=/m);
      await app.kill();
    });
  }
});
