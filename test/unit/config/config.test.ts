import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, defineConfig, maskDsn } from '../../../src/telemetry/config/index.js';
import type { ExporterName, OtlpProtocol } from '../../../src/telemetry/common/types.js';
import { cleanupApps, DSN, DSN_KEY, load, loadError, makeApp } from './config-helpers.js';

const halfRate = (): number => 0.5;

let app: string;
beforeAll(() => {
  app = makeApp();
});
afterAll(cleanupApps);

interface InvalidCase {
  title: string;
  env: Record<string, string>;
  variable: string;
  /** Fragments of the "what is accepted" part of the message. */
  accepted: string[];
}

const invalidCases: InvalidCase[] = [
  {
    title: 'rate abc',
    env: { SENTRY_TRACES_SAMPLE_RATE: 'abc' },
    variable: 'SENTRY_TRACES_SAMPLE_RATE',
    accepted: ['a number from 0 to 1'],
  },
  {
    title: 'rate 1.5',
    env: { SENTRY_TRACES_SAMPLE_RATE: '1.5' },
    variable: 'SENTRY_TRACES_SAMPLE_RATE',
    accepted: ['a number from 0 to 1'],
  },
  {
    title: 'rate -0.1',
    env: { SENTRY_TRACES_SAMPLE_RATE: '-0.1' },
    variable: 'SENTRY_TRACES_SAMPLE_RATE',
    accepted: ['a number from 0 to 1'],
  },
  {
    title: 'rate in hex',
    env: { SENTRY_TRACES_SAMPLE_RATE: '0x1' },
    variable: 'SENTRY_TRACES_SAMPLE_RATE',
    accepted: ['a number from 0 to 1'],
  },
  {
    title: 'profiles rate 2',
    env: { SENTRY_PROFILES_SAMPLE_RATE: '2' },
    variable: 'SENTRY_PROFILES_SAMPLE_RATE',
    accepted: ['a number from 0 to 1'],
  },
  {
    title: 'DSN without key',
    env: { SENTRY_DSN: 'https://o42.ingest.sentry.io/4505' },
    variable: 'SENTRY_DSN',
    accepted: ['https://<public key>@o<org id>.ingest.sentry.io/<project id>'],
  },
  { title: 'DSN not a URL', env: { SENTRY_DSN: DSN_KEY }, variable: 'SENTRY_DSN', accepted: ['a Sentry DSN'] },
  {
    title: 'DSN with ftp protocol',
    env: { SENTRY_DSN: `ftp://${DSN_KEY}@o42.ingest.sentry.io/4505` },
    variable: 'SENTRY_DSN',
    accepted: ['a Sentry DSN'],
  },
  {
    title: 'DSN with non-numeric project',
    env: { SENTRY_DSN: `https://${DSN_KEY}@o42.ingest.sentry.io/project` },
    variable: 'SENTRY_DSN',
    accepted: ['a Sentry DSN'],
  },
  {
    title: 'unknown exporter',
    env: { TELEMETRY_EXPORTERS: 'sentry,zipkin', SENTRY_DSN: DSN },
    variable: 'TELEMETRY_EXPORTERS',
    accepted: ['sentry, otlp, console, or none alone'],
  },
  {
    title: 'sentry without DSN',
    env: { TELEMETRY_EXPORTERS: 'sentry' },
    variable: 'TELEMETRY_EXPORTERS',
    accepted: ['sentry needs SENTRY_DSN'],
  },
  {
    title: 'otlp without endpoint',
    env: { TELEMETRY_EXPORTERS: 'otlp' },
    variable: 'TELEMETRY_EXPORTERS',
    accepted: ['otlp needs OTEL_EXPORTER_OTLP_ENDPOINT'],
  },
  {
    title: 'none with others',
    env: { TELEMETRY_EXPORTERS: 'none,console' },
    variable: 'TELEMETRY_EXPORTERS',
    accepted: ['none alone'],
  },
  {
    title: 'ftp endpoint',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' },
    variable: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    accepted: ['an http:// or https:// URL'],
  },
  {
    title: 'traces endpoint not a URL',
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'collector:4318' },
    variable: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
    accepted: ['an http:// or https:// URL'],
  },
  {
    title: 'bad protocol',
    env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/thrift' },
    variable: 'OTEL_EXPORTER_OTLP_PROTOCOL',
    accepted: ['http/protobuf, http/json, grpc'],
  },
  {
    title: 'bad traces protocol',
    env: { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'udp' },
    variable: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    accepted: ['http/protobuf, http/json, grpc'],
  },
  {
    title: 'bad compression',
    env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'brotli' },
    variable: 'OTEL_EXPORTER_OTLP_COMPRESSION',
    accepted: ['gzip, none'],
  },
  {
    title: 'bad timeout',
    env: { OTEL_EXPORTER_OTLP_TIMEOUT: '10s' },
    variable: 'OTEL_EXPORTER_OTLP_TIMEOUT',
    accepted: ['a whole number >= 1'],
  },
  {
    title: 'malformed headers',
    env: { OTEL_EXPORTER_OTLP_HEADERS: 'Authorization' },
    variable: 'OTEL_EXPORTER_OTLP_HEADERS',
    accepted: ['name=value pairs'],
  },
  {
    title: 'bad percent-encoding in headers',
    env: { OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-key=%E0%A4%A' },
    variable: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
    accepted: ['name=value pairs'],
  },
  {
    title: 'bad resource attributes',
    env: { OTEL_RESOURCE_ATTRIBUTES: 'team' },
    variable: 'OTEL_RESOURCE_ATTRIBUTES',
    accepted: ['key=value pairs'],
  },
  {
    title: 'boolean maybe',
    env: { SENTRY_DEBUG: 'maybe' },
    variable: 'SENTRY_DEBUG',
    accepted: ['true, false, 1, 0, yes, no'],
  },
  {
    title: 'boolean on',
    env: { SENTRY_SEND_DEFAULT_PII: 'on' },
    variable: 'SENTRY_SEND_DEFAULT_PII',
    accepted: ['true, false, 1, 0, yes, no'],
  },
  {
    title: 'boolean 2',
    env: { TELEMETRY_CAPTURE_GENAI_CONTENT: '2' },
    variable: 'TELEMETRY_CAPTURE_GENAI_CONTENT',
    accepted: ['true, false, 1, 0, yes, no'],
  },
  {
    title: 'strict continuation',
    env: { SENTRY_STRICT_TRACE_CONTINUATION: 'strict' },
    variable: 'SENTRY_STRICT_TRACE_CONTINUATION',
    accepted: ['true, false'],
  },
  {
    title: 'shutdown 0',
    env: { TELEMETRY_SHUTDOWN_TIMEOUT_MS: '0' },
    variable: 'TELEMETRY_SHUTDOWN_TIMEOUT_MS',
    accepted: ['a whole number >= 1'],
  },
  {
    title: 'shutdown 1.5',
    env: { TELEMETRY_SHUTDOWN_TIMEOUT_MS: '1.5' },
    variable: 'TELEMETRY_SHUTDOWN_TIMEOUT_MS',
    accepted: ['a whole number >= 1'],
  },
  {
    title: 'queue size negative',
    env: { OTEL_BSP_MAX_QUEUE_SIZE: '-5' },
    variable: 'OTEL_BSP_MAX_QUEUE_SIZE',
    accepted: ['a whole number >= 1'],
  },
  {
    title: 'schedule delay words',
    env: { OTEL_BSP_SCHEDULE_DELAY: 'soon' },
    variable: 'OTEL_BSP_SCHEDULE_DELAY',
    accepted: ['a whole number >= 0'],
  },
  {
    title: 'export timeout empty-ish',
    env: { OTEL_BSP_EXPORT_TIMEOUT: '1e3' },
    variable: 'OTEL_BSP_EXPORT_TIMEOUT',
    accepted: ['a whole number >= 1'],
  },
  {
    title: 'batch larger than queue',
    env: { OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '200' },
    variable: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    accepted: ['<= OTEL_BSP_MAX_QUEUE_SIZE (100)'],
  },
  {
    title: 'log level',
    env: { OTEL_LOG_LEVEL: 'loud' },
    variable: 'OTEL_LOG_LEVEL',
    accepted: ['none, error, warn, info, debug, verbose, all'],
  },
  {
    title: 'instrumentations',
    env: { TELEMETRY_INSTRUMENTATIONS: 'some' },
    variable: 'TELEMETRY_INSTRUMENTATIONS',
    accepted: ['default, all'],
  },
  {
    title: 'HTTP server spans',
    env: { TELEMETRY_HTTP_SERVER_SPANS: 'channels' },
    variable: 'TELEMETRY_HTTP_SERVER_SPANS',
    accepted: ['instrumentation-http, diagnostics-channel'],
  },
  {
    title: 'OTEL_TRACES_EXPORTER zipkin',
    env: { OTEL_TRACES_EXPORTER: 'zipkin' },
    variable: 'OTEL_TRACES_EXPORTER',
    accepted: ['otlp, console, or none'],
  },
  {
    title: 'OTEL_TRACES_EXPORTER jaeger with otlp',
    env: { OTEL_TRACES_EXPORTER: 'otlp,jaeger' },
    variable: 'OTEL_TRACES_EXPORTER',
    accepted: ['otlp, console, or none'],
  },
  {
    title: 'OTEL_TRACES_SAMPLER jaeger_remote',
    env: { OTEL_TRACES_SAMPLER: 'jaeger_remote' },
    variable: 'OTEL_TRACES_SAMPLER',
    accepted: ['always_on', 'parentbased_traceidratio'],
  },
  {
    title: 'OTEL_TRACES_SAMPLER xray',
    env: { OTEL_TRACES_SAMPLER: 'xray' },
    variable: 'OTEL_TRACES_SAMPLER',
    accepted: ['traceidratio'],
  },
  {
    title: 'OTEL_TRACES_SAMPLER_ARG 7',
    env: { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '7' },
    variable: 'OTEL_TRACES_SAMPLER_ARG',
    accepted: ['a number from 0 to 1'],
  },
  {
    title: 'OTEL_PROPAGATORS b3',
    env: { OTEL_PROPAGATORS: 'tracecontext,b3' },
    variable: 'OTEL_PROPAGATORS',
    accepted: ['tracecontext and baggage'],
  },
  {
    title: 'OTEL_PROPAGATORS xray',
    env: { OTEL_PROPAGATORS: 'xray' },
    variable: 'OTEL_PROPAGATORS',
    accepted: ['tracecontext and baggage'],
  },
  {
    title: 'OTEL_PROPAGATORS jaeger',
    env: { OTEL_PROPAGATORS: 'jaeger' },
    variable: 'OTEL_PROPAGATORS',
    accepted: ['tracecontext and baggage'],
  },
  {
    title: 'sampler and rate disagree',
    env: {
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
      SENTRY_TRACES_SAMPLE_RATE: '0.2',
    },
    variable: 'SENTRY_TRACES_SAMPLE_RATE',
    accepted: ['equal to the rate of OTEL_TRACES_SAMPLER'],
  },
  {
    title: 'always_off and rate 1 disagree',
    env: { OTEL_TRACES_SAMPLER: 'always_off', SENTRY_TRACES_SAMPLE_RATE: '1' },
    variable: 'SENTRY_TRACES_SAMPLE_RATE',
    accepted: ['equal to the rate of OTEL_TRACES_SAMPLER'],
  },
  {
    title: 'org id',
    env: { SENTRY_ORG_ID: 'o42' },
    variable: 'SENTRY_ORG_ID',
    accepted: ['the numeric organization id'],
  },
  {
    title: 'release with slash',
    env: { SENTRY_RELEASE: 'feature/x' },
    variable: 'SENTRY_RELEASE',
    accepted: ['no newline, tab, "/"'],
  },
  { title: 'release latest', env: { SENTRY_RELEASE: 'LATEST' }, variable: 'SENTRY_RELEASE', accepted: ['"latest"'] },
  {
    title: 'environment with space',
    env: { SENTRY_ENVIRONMENT: 'my env' },
    variable: 'SENTRY_ENVIRONMENT',
    accepted: ['without spaces'],
  },
  {
    title: 'invalid regex target',
    env: { TELEMETRY_PROPAGATION_TARGETS: 'api.example.com,/(unclosed/' },
    variable: 'TELEMETRY_PROPAGATION_TARGETS',
    accepted: ['/regular expressions/'],
  },
  {
    title: 'baggage peer as a host name',
    env: { TELEMETRY_BAGGAGE_ACCEPT_FROM: '10.0.0.7,gateway.internal' },
    variable: 'TELEMETRY_BAGGAGE_ACCEPT_FROM',
    accepted: ['IP addresses and CIDR ranges'],
  },
  {
    title: 'baggage peer prefix too long',
    env: { TELEMETRY_BAGGAGE_ACCEPT_FROM: '10.0.0.0/33' },
    variable: 'TELEMETRY_BAGGAGE_ACCEPT_FROM',
    accepted: ['IP addresses and CIDR ranges'],
  },
  {
    title: 'baggage peer as a regex',
    env: { TELEMETRY_BAGGAGE_ACCEPT_FROM: '/^10\\./' },
    variable: 'TELEMETRY_BAGGAGE_ACCEPT_FROM',
    accepted: ['IP addresses and CIDR ranges', 'a regular expression is not accepted'],
  },
  {
    title: 'invalid regex ignore path',
    env: { TELEMETRY_IGNORE_PATHS: '/[/' },
    variable: 'TELEMETRY_IGNORE_PATHS',
    accepted: ['/regular expressions/'],
  },
  {
    title: 'missing config module',
    env: { TELEMETRY_CONFIG: './nope.config.mjs' },
    variable: 'TELEMETRY_CONFIG',
    accepted: ['.js, .mjs or .cjs'],
  },
];

describe('loadConfig rejects each invalid value with a message naming it', () => {
  it.each(invalidCases)('$title', async ({ env, variable, accepted }) => {
    const error = await loadError(app, env);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(variable);
    for (const fragment of accepted) expect(error.message).toContain(fragment);
    expect(error.message).not.toContain(DSN_KEY);
    // One problem per invalid variable, one line each.
    expect(error.problems).toHaveLength(1);
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('shows the value that was rejected', async () => {
    const error = await loadError(app, { SENTRY_TRACES_SAMPLE_RATE: '1.5' });
    expect(error.message).toBe('SENTRY_TRACES_SAMPLE_RATE="1.5": Accepted: a number from 0 to 1, e.g. 0.25.');
  });

  it('masks the DSN key in a malformed DSN and never prints it whole', async () => {
    const error = await loadError(app, { SENTRY_DSN: `https://${DSN_KEY}@o42.ingest.sentry.io/not-a-project` });
    expect(error.message).toContain('https://0123…@o42.ingest.sentry.io/not-a-project');
    expect(error.message).not.toContain(DSN_KEY);
  });

  it('masks header values, keeping the header names', async () => {
    const error = await loadError(app, {
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20supersecrettoken123,broken-entry',
    });
    expect(error.message).toContain('Authorization=Bea…');
    expect(error.message).not.toContain('supersecrettoken123');
    expect(error.message).not.toContain('broken-entry');
  });

  it('masks the password of an endpoint URL', async () => {
    const error = await loadError(app, { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://user:hunter2hunter2@host' });
    expect(error.message).toContain('user:…@host');
    expect(error.message).not.toContain('hunter2');
  });

  it('reports every invalid variable at once, one per line', async () => {
    const error = await loadError(app, {
      SENTRY_TRACES_SAMPLE_RATE: 'abc',
      SENTRY_DSN: 'nonsense',
      TELEMETRY_EXPORTERS: 'kafka',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x',
      SENTRY_DEBUG: 'perhaps',
      TELEMETRY_CONFIG: 'missing.mjs',
    });
    const lines = error.message.split('\n');
    expect(lines).toHaveLength(6);
    for (const variable of [
      'SENTRY_TRACES_SAMPLE_RATE',
      'SENTRY_DSN',
      'TELEMETRY_EXPORTERS',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'SENTRY_DEBUG',
      'TELEMETRY_CONFIG',
    ]) {
      expect(lines.filter((line) => line.startsWith(`${variable}=`))).toHaveLength(1);
    }
  });

  it('reports an invalid DSN once, not again as "sentry without a DSN"', async () => {
    const error = await loadError(app, { SENTRY_DSN: 'nonsense', TELEMETRY_EXPORTERS: 'sentry' });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain('SENTRY_DSN');
  });
});

describe('maskDsn', () => {
  it('keeps the first characters of the key and the rest of the DSN', () => {
    expect(maskDsn(DSN)).toBe('https://0123…@o42.ingest.sentry.io/4505');
  });

  it('drops a deprecated secret key entirely', () => {
    const masked = maskDsn(`https://${DSN_KEY}:fedcba9876543210fedcba9876543210@sentry.example.com/7`);
    expect(masked).toBe('https://0123…@sentry.example.com/7');
  });

  it('masks key-like runs in a string that is not a DSN', () => {
    expect(maskDsn(`${DSN_KEY}/42`)).toBe('0123…/42');
  });
});

describe('defaults', () => {
  it('fills every field from an empty environment', async () => {
    const config = await load(app, {});
    expect(config).toMatchObject({
      serviceName: 'demo-app',
      environment: 'production',
      release: 'demo-app@1.2.3',
      resourceAttributes: {},
      sentry: { debug: false, sendDefaultPii: false, trackSessions: false, ignoreErrors: [] },
      sampling: {
        tracesSampleRate: 1,
        ignoreSpans: ['/api/health', '/health', '/healthz', '/livez', '/readyz'],
        strictTraceContinuation: false,
      },
      exporters: [],
      otlp: { headers: {}, protocol: 'http/protobuf', timeoutMillis: 10_000, compression: 'none' },
      batch: { maxQueueSize: 8192, maxExportBatchSize: 1024, scheduledDelayMillis: 1000, exportTimeoutMillis: 10_000 },
      logLevel: 'warn',
      instrumentations: 'default',
      shutdownTimeoutMs: 5000,
      captureGenAiContent: false,
      attributeValueLengthLimit: 4096,
    });
    expect(config.sentry.dsn).toBeUndefined();
    expect(config.otlp.tracesUrl).toBeUndefined();
    expect(config.configFile).toBeUndefined();
    expect(config.propagation.tracePropagationTargets).toEqual([/.*/]);
    expect(config.propagation.baggageTargets.length).toBeGreaterThan(0);
    // Incoming baggage (a tenant claim) is believed from no peer until one is listed.
    expect(config.propagation.baggageAcceptFrom).toEqual([]);
    expect(config.warnings).toEqual([
      expect.stringContaining('no exporter: spans are sampled and propagated but not exported'),
    ]);
  });

  it('treats blank variables as unset', async () => {
    const config = await load(app, { SENTRY_DSN: '', SENTRY_TRACES_SAMPLE_RATE: '  ', TELEMETRY_EXPORTERS: '' });
    expect(config.sentry.dsn).toBeUndefined();
    expect(config.sampling.tracesSampleRate).toBe(1);
  });

  it('parses a DSN with @sentry/core and takes the org id from its host', async () => {
    const config = await load(app, { SENTRY_DSN: DSN });
    expect(config.sentry.dsn).toEqual({
      raw: DSN,
      protocol: 'https',
      host: 'o42.ingest.sentry.io',
      port: '',
      path: '',
      projectId: '4505',
      publicKey: DSN_KEY,
      orgId: '42',
    });
    expect(config.sampling.orgId).toBe('42');
  });

  it('parses a self-hosted DSN with port and path, without org id', async () => {
    const raw = `http://${DSN_KEY}@sentry.internal:9000/sub/path/12`;
    const config = await load(app, { SENTRY_DSN: raw });
    expect(config.sentry.dsn).toMatchObject({
      protocol: 'http',
      host: 'sentry.internal',
      port: '9000',
      path: 'sub/path',
      projectId: '12',
    });
    expect(config.sentry.dsn?.orgId).toBeUndefined();
    expect(config.sampling.orgId).toBeUndefined();
  });

  it('lets SENTRY_ORG_ID override the DSN org id', async () => {
    const config = await load(app, { SENTRY_DSN: DSN, SENTRY_ORG_ID: '7', SENTRY_STRICT_TRACE_CONTINUATION: 'yes' });
    expect(config.sampling.orgId).toBe('7');
    expect(config.sampling.strictTraceContinuation).toBe(true);
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
    ['NO', false],
  ])('boolean %s -> %s', async (raw, expected) => {
    const config = await load(app, {
      SENTRY_DEBUG: raw,
      SENTRY_SEND_DEFAULT_PII: raw,
      SENTRY_TRACK_SESSIONS: raw,
      TELEMETRY_CAPTURE_GENAI_CONTENT: raw,
    });
    expect(config.sentry.debug).toBe(expected);
    expect(config.sentry.sendDefaultPii).toBe(expected);
    expect(config.sentry.trackSessions).toBe(expected);
    expect(config.captureGenAiContent).toBe(expected);
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['0.25', 0.25],
    ['.5', 0.5],
    ['1.0', 1],
    ['5e-1', 0.5],
  ])('rate %s -> %s', async (raw, rate) => {
    const config = await load(app, { SENTRY_TRACES_SAMPLE_RATE: raw });
    expect(config.sampling.tracesSampleRate).toBe(rate);
  });

  it('reads the remaining scalar settings', async () => {
    const config = await load(app, {
      OTEL_LOG_LEVEL: 'DEBUG',
      TELEMETRY_INSTRUMENTATIONS: 'all',
      TELEMETRY_SHUTDOWN_TIMEOUT_MS: '2500',
      OTEL_BSP_MAX_QUEUE_SIZE: '4096',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096',
      OTEL_BSP_SCHEDULE_DELAY: '0',
      OTEL_BSP_EXPORT_TIMEOUT: '3000',
    });
    expect(config.logLevel).toBe('debug');
    expect(config.instrumentations).toBe('all');
    expect(config.shutdownTimeoutMs).toBe(2500);
    expect(config.batch).toEqual({
      maxQueueSize: 4096,
      maxExportBatchSize: 4096,
      scheduledDelayMillis: 0,
      exportTimeoutMillis: 3000,
    });
  });

  it('reads TELEMETRY_HTTP_SERVER_SPANS: instrumentation-http by default, the diagnostics channels on request', async () => {
    expect((await load(app, {})).httpServerSpans).toBeUndefined();
    expect((await load(app, { TELEMETRY_HTTP_SERVER_SPANS: 'instrumentation-http' })).httpServerSpans).toBeUndefined();
    const channel = await load(app, { TELEMETRY_HTTP_SERVER_SPANS: 'Diagnostics-Channel' });
    expect(channel.httpServerSpans).toBe('diagnostics-channel');
  });

  it('parses the attribute value length limit once: the span variable first, then the general one', async () => {
    expect((await load(app, { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '512' })).attributeValueLengthLimit).toBe(512);
    const both = await load(app, {
      OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '256',
      OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '512',
    });
    expect(both.attributeValueLengthLimit).toBe(256);
    await expect(load(app, { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: 'lots' })).rejects.toThrow(
      /OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT="lots"[\s\S]*a whole number >= 1/,
    );
  });

  it('reads SENTRY_PROFILES_SAMPLE_RATE as a rate, with no warning (profiling runs: src/telemetry/profiling)', async () => {
    const on = await load(app, { SENTRY_PROFILES_SAMPLE_RATE: '0.5', TELEMETRY_EXPORTERS: 'console' });
    expect(on.sentry.profilesSampleRate).toBe(0.5);
    expect(on.warnings).toEqual([]);
    const off = await load(app, { SENTRY_PROFILES_SAMPLE_RATE: '0', TELEMETRY_EXPORTERS: 'console' });
    expect(off.sentry.profilesSampleRate).toBe(0);
    expect(off.warnings).toEqual([]);
  });

  it('reads OTEL_RESOURCE_ATTRIBUTES percent-decoded, and OTEL_SERVICE_NAME wins over service.name', async () => {
    const attributes = await load(app, {
      OTEL_RESOURCE_ATTRIBUTES: 'team=support, deployment.region=eu%20west,service.name=from-attrs,',
    });
    expect(attributes.resourceAttributes).toEqual({
      team: 'support',
      'deployment.region': 'eu west',
      'service.name': 'from-attrs',
    });
    expect(attributes.serviceName).toBe('from-attrs');
    const named = await load(app, {
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs',
      OTEL_SERVICE_NAME: 'ingest-api',
    });
    expect(named.serviceName).toBe('ingest-api');
  });

  it('defineConfig returns its argument unchanged', () => {
    const config = { tracesSampler: halfRate, ignoreSpans: ['/ping'] };
    expect(defineConfig(config)).toBe(config);
  });
});

describe('environment', () => {
  it.each([
    [{}, 'production'],
    [{ NODE_ENV: 'development' }, 'development'],
    [{ NODE_ENV: 'test' }, 'test'],
    [{ NODE_ENV: 'production', SENTRY_ENVIRONMENT: 'staging' }, 'staging'],
    [{ SENTRY_ENVIRONMENT: 'qa' }, 'qa'],
  ])('%j -> %s', async (env, expected) => {
    expect((await load(app, env)).environment).toBe(expected);
  });
});

type EndpointSetting = 'none' | 'generic' | 'traces';
const environments: Array<[Record<string, string>, string]> = [
  [{}, 'production'],
  [{ NODE_ENV: 'development' }, 'development'],
  [{ NODE_ENV: 'production', SENTRY_ENVIRONMENT: 'staging' }, 'staging'],
];
const protocols: OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const endpointSettings: EndpointSetting[] = ['none', 'generic', 'traces'];

function endpointEnv(setting: EndpointSetting, protocol: OtlpProtocol): Record<string, string> {
  const port = protocol === 'grpc' ? 4317 : 4318;
  if (setting === 'generic') return { OTEL_EXPORTER_OTLP_ENDPOINT: `http://collector:${port}` };
  if (setting === 'traces')
    return { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `https://collector.example.com:${port}/custom/traces` };
  return {};
}

function expectedUrl(setting: EndpointSetting, protocol: OtlpProtocol): string | undefined {
  if (setting === 'generic') return protocol === 'grpc' ? 'http://collector:4317' : 'http://collector:4318/v1/traces';
  if (setting === 'traces') return `https://collector.example.com:${protocol === 'grpc' ? 4317 : 4318}/custom/traces`;
  return undefined;
}

describe('default exporters: sentry with a DSN, otlp with an endpoint, console when neither outside production', () => {
  const combos = environments.flatMap(([envVars, environment]) =>
    protocols.flatMap((protocol) =>
      endpointSettings.flatMap((endpoint) =>
        [true, false].map((withDsn) => ({ envVars, environment, protocol, endpoint, withDsn })),
      ),
    ),
  );

  it.each(combos)(
    '$environment, $protocol, endpoint $endpoint, dsn $withDsn',
    async ({ envVars, environment, protocol, endpoint, withDsn }) => {
      const env: Record<string, string> = {
        ...envVars,
        ...endpointEnv(endpoint, protocol),
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        ...(withDsn ? { SENTRY_DSN: DSN } : {}),
      };
      const config = await load(app, env);
      const expected: ExporterName[] = [];
      if (withDsn) expected.push('sentry');
      if (endpoint !== 'none') expected.push('otlp');
      if (!withDsn && endpoint === 'none' && environment !== 'production') expected.push('console');
      expect(config.environment).toBe(environment);
      expect(config.exporters).toEqual(expected);
      expect(config.otlp.protocol).toBe(protocol);
      expect(config.otlp.tracesUrl).toBe(expectedUrl(endpoint, protocol));
      const noExporterWarning = config.warnings.some((warning) => warning.startsWith('no exporter'));
      expect(noExporterWarning).toBe(expected.length === 0);
    },
  );
});

describe('TELEMETRY_EXPORTERS', () => {
  const full = { SENTRY_DSN: DSN, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  it.each<[string, Record<string, string>, ExporterName[]]>([
    ['sentry', full, ['sentry']],
    ['otlp', full, ['otlp']],
    ['console', {}, ['console']],
    ['sentry,otlp', full, ['sentry', 'otlp']],
    ['otlp, sentry ,console', full, ['otlp', 'sentry', 'console']],
    ['SENTRY,Console,sentry', full, ['sentry', 'console']],
    ['none', full, []],
    ['NONE', {}, []],
  ])('%s -> %j', async (value, env, expected) => {
    const config = await load(app, { ...env, TELEMETRY_EXPORTERS: value, NODE_ENV: 'development' });
    expect(config.exporters).toEqual(expected);
    expect(config.warnings.filter((warning) => warning.startsWith('no exporter'))).toEqual([]);
  });

  it('wins over OTEL_TRACES_EXPORTER, with a warning', async () => {
    const config = await load(app, { TELEMETRY_EXPORTERS: 'console', OTEL_TRACES_EXPORTER: 'otlp' });
    expect(config.exporters).toEqual(['console']);
    expect(config.warnings).toEqual([expect.stringContaining('OTEL_TRACES_EXPORTER is ignored')]);
  });
});

describe('OTEL_TRACES_EXPORTER maps onto the exporters', () => {
  it.each<[Record<string, string>, ExporterName[], string | undefined]>([
    [{ OTEL_TRACES_EXPORTER: 'console' }, ['console'], undefined],
    [
      { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' },
      ['otlp'],
      'http://c:4318/v1/traces',
    ],
    // OTel's own default address when no endpoint is given.
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, ['otlp'], 'http://localhost:4318/v1/traces'],
    [{ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, ['otlp'], 'http://localhost:4317'],
    [
      { OTEL_TRACES_EXPORTER: 'otlp,console', SENTRY_DSN: DSN },
      ['sentry', 'otlp', 'console'],
      'http://localhost:4318/v1/traces',
    ],
    [{ OTEL_TRACES_EXPORTER: 'none', SENTRY_DSN: DSN }, ['sentry'], undefined],
    [{ OTEL_TRACES_EXPORTER: 'none', NODE_ENV: 'development' }, [], undefined],
  ])('%j', async (env, exporters, url) => {
    const config = await load(app, env);
    expect(config.exporters).toEqual(exporters);
    expect(config.otlp.tracesUrl).toBe(url);
  });
});

describe('OTEL_TRACES_SAMPLER maps onto tracesSampleRate', () => {
  it.each<[Record<string, string>, number, boolean]>([
    [{ OTEL_TRACES_SAMPLER: 'always_on' }, 1, true],
    [{ OTEL_TRACES_SAMPLER: 'always_off' }, 0, true],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_on' }, 1, false],
    [{ OTEL_TRACES_SAMPLER: 'parentbased_always_off' }, 0, false],
    [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }, 0.1, true],
    [{ OTEL_TRACES_SAMPLER: 'PARENTBASED_TRACEIDRATIO', OTEL_TRACES_SAMPLER_ARG: '0.3' }, 0.3, false],
    // The OTel default argument is 1.0.
    [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' }, 1, false],
    // Both set and equal: accepted.
    [
      {
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
        SENTRY_TRACES_SAMPLE_RATE: '0.25',
      },
      0.25,
      false,
    ],
  ])('%j -> %s', async (env, rate, warnsParentBased) => {
    const config = await load(app, { ...env, TELEMETRY_EXPORTERS: 'console' });
    expect(config.sampling.tracesSampleRate).toBe(rate);
    expect(config.warnings.some((warning) => warning.includes('acts as parentbased_'))).toBe(warnsParentBased);
  });

  it('warns that an argument is ignored by a sampler that takes none', async () => {
    const config = await load(app, {
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
      TELEMETRY_EXPORTERS: 'console',
    });
    expect(config.warnings).toEqual(['OTEL_TRACES_SAMPLER_ARG is ignored: parentbased_always_on takes no argument.']);
  });
});

describe('OTEL_PROPAGATORS', () => {
  it.each(['tracecontext,baggage', 'tracecontext', 'baggage', 'TraceContext'])(
    '%s is accepted and changes nothing',
    async (value) => {
      const config = await load(app, { OTEL_PROPAGATORS: value });
      expect(config.propagation.tracePropagationTargets).toEqual([/.*/]);
    },
  );

  it('none switches trace headers and baggage off unless targets are given explicitly', async () => {
    const none = await load(app, { OTEL_PROPAGATORS: 'none' });
    expect(none.propagation).toEqual({ tracePropagationTargets: [], baggageTargets: [], baggageAcceptFrom: [] });
    const explicit = await load(app, { OTEL_PROPAGATORS: 'none', TELEMETRY_PROPAGATION_TARGETS: 'api.example.com' });
    expect(explicit.propagation.tracePropagationTargets).toEqual(['api.example.com']);
  });
});

describe('OTLP settings', () => {
  it('merges headers per key, the TRACES_ variant winning, percent-decoded, header names compared without case', async () => {
    const config = await load(app, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Basic%20generic,x-team=ops,x-scope-orgid=tenant%2C1',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'Authorization=Bearer%20traces, x-extra = yes ',
    });
    expect(config.otlp.headers).toEqual({
      Authorization: 'Bearer traces',
      'x-team': 'ops',
      'x-scope-orgid': 'tenant,1',
      'x-extra': 'yes',
    });
    expect(config.otlp.tracesUrl).toBe('http://collector:4318/v1/traces');
  });

  it('keeps OTEL_EXPORTER_OTLP_HEADERS in otlp.headers only, never next to the Sentry settings', async () => {
    const config = await load(app, {
      SENTRY_DSN: DSN,
      OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20collector-secret',
    });
    expect(config.otlp.headers).toEqual({ Authorization: 'Bearer collector-secret' });
    expect(JSON.stringify(config.sentry)).not.toContain('collector-secret');
    expect(config.exporters).toEqual(['sentry']);
  });

  it('prefers the TRACES_ variant of protocol, timeout and compression', async () => {
    const config = await load(app, {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '2000',
      OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'GZIP',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example.com',
    });
    expect(config.otlp).toEqual({
      tracesUrl: 'https://otlp.example.com/v1/traces',
      headers: {},
      protocol: 'http/json',
      timeoutMillis: 2000,
      compression: 'gzip',
    });
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is over the generic one', async () => {
    const config = await load(app, {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://specific:4318/otlp',
    });
    expect(config.otlp.tracesUrl).toBe('http://specific:4318/otlp');
  });
});

describe('both variants of an OTLP variable are validated, even when the TRACES_ one wins', () => {
  it.each([
    ['PROTOCOL', 'grpc', 'bogus'],
    ['COMPRESSION', 'gzip', 'zstd'],
    ['TIMEOUT', '1000', 'ten'],
  ])('%s', async (suffix, good, bad) => {
    const error = await loadError(app, {
      [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`]: good,
      [`OTEL_EXPORTER_OTLP_${suffix}`]: bad,
    });
    expect(error.problems).toEqual([expect.stringMatching(new RegExp(`^OTEL_EXPORTER_OTLP_${suffix}="${bad}"`))]);
  });
});
