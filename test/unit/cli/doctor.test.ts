// The doctor's offline checks: each verdict from a configuration loaded by the real loadConfig.
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/telemetry/config/index.js';
import {
  configCheck,
  configDerivedChecks,
  dsnCheck,
  exportersCheck,
  nodeCheck,
  otlpHeadersCheck,
  samplingCheck,
} from '../../../src/cli/doctor/config-checks.js';
import { renderText } from '../../../src/cli/doctor/render.js';
import { summarise } from '../../../src/cli/doctor/types.js';
import type { TelemetryConfig } from '../../../src/telemetry/common/types.js';
import { cleanupApps, DSN, DSN_KEY, makeApp } from '../config/config-helpers.js';

afterEach(cleanupApps);

function load(env: Record<string, string>): Promise<TelemetryConfig> {
  const dir = makeApp();
  return loadConfig({ env, cwd: dir, appPath: dir });
}

describe('doctor checks', () => {
  it('judges the Node version against the engines floor', () => {
    expect(nodeCheck('20.19.0').status).toBe('ok');
    expect(nodeCheck('22.1.0').status).toBe('ok');
    expect(nodeCheck('20.18.3').status).toBe('fail');
    expect(nodeCheck('18.20.0').fix).toContain('20.19');
  });

  it('masks the DSN key in every verdict', () => {
    expect(dsnCheck({}).status).toBe('warn');
    const ok = dsnCheck({ SENTRY_DSN: DSN });
    expect(ok.status).toBe('ok');
    expect(ok.summary).toContain('project 4505, org 42');
    const bad = dsnCheck({ SENTRY_DSN: `https://${DSN_KEY}@o42.ingest.sentry.io/` });
    expect(bad.status).toBe('fail');
    for (const c of [ok, bad]) expect(JSON.stringify(c)).not.toContain(DSN_KEY);
  });

  it('turns a ConfigError into one fail naming every problem', async () => {
    const error = await load({ SENTRY_TRACES_SAMPLE_RATE: 'abc', TELEMETRY_EXPORTERS: 'jaeger' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const c = configCheck({ ok: false, error });
    expect(c.status).toBe('fail');
    expect(c.fix).toContain('SENTRY_TRACES_SAMPLE_RATE');
    expect(c.fix).toContain('TELEMETRY_EXPORTERS');
  });

  it('warns on rate 0, on rate 1.0 in production, and not on 1.0 in development', async () => {
    expect(samplingCheck(await load({ SENTRY_TRACES_SAMPLE_RATE: '0' })).status).toBe('warn');
    expect(samplingCheck(await load({})).summary).toContain('1.0 in production');
    expect(samplingCheck(await load({ SENTRY_ENVIRONMENT: 'development' })).status).toBe('ok');
    expect(samplingCheck(await load({ SENTRY_TRACES_SAMPLE_RATE: '0.1' })).status).toBe('ok');
  });

  it('says where spans go, and warns when they go nowhere', async () => {
    expect(exportersCheck(await load({})).status).toBe('warn');
    expect(exportersCheck(await load({ OTEL_SDK_DISABLED: 'true', SENTRY_DSN: DSN })).summary).toContain(
      'OTEL_SDK_DISABLED',
    );
    const both = exportersCheck(
      await load({ SENTRY_DSN: DSN, OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector.internal:4318' }),
    );
    expect(both.status).toBe('ok');
    expect(both.summary).toContain('otlp -> https://collector.internal:4318/v1/traces');
    expect(both.summary).not.toContain(DSN_KEY);
  });

  it('finds OTLP headers that would leak: unused, to Sentry, or in clear text', async () => {
    const headers = { OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer topsecretvalue' };
    const unused = otlpHeadersCheck(headers, await load({ ...headers, SENTRY_DSN: DSN }));
    expect(unused.summary).toContain('no otlp exporter uses it');
    const toSentry = {
      ...headers,
      SENTRY_DSN: DSN,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'https://o42.ingest.sentry.io/api/4505/integration/otlp',
    };
    expect(otlpHeadersCheck(toSentry, await load(toSentry)).summary).toContain('would be sent to Sentry');
    const clear = { ...headers, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://10.1.2.3:4318' };
    expect(otlpHeadersCheck(clear, await load(clear)).summary).toContain('clear text');
    const fine = { ...headers, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    const ok = otlpHeadersCheck(fine, await load(fine));
    expect(ok.status).toBe('ok');
    for (const c of [unused, ok]) expect(JSON.stringify(c)).not.toContain('topsecretvalue');
  });

  it('warns about PII and GenAI content, and the report fails only on fail', async () => {
    const env = { SENTRY_SEND_DEFAULT_PII: 'true', TELEMETRY_CAPTURE_GENAI_CONTENT: 'true', SENTRY_ENVIRONMENT: 'dev' };
    const checks = configDerivedChecks(env, await load(env));
    expect(checks.find((c) => c.id === 'pii')?.status).toBe('warn');
    expect(checks.find((c) => c.id === 'genai.content')?.status).toBe('warn');
    const report = summarise('0.0.0', [...checks, nodeCheck('20.20.0')]);
    expect(report.ok).toBe(true);
    expect(summarise('0.0.0', [nodeCheck('18.0.0')]).ok).toBe(false);
    expect(renderText(report)).toMatch(/warn {2}pii +SENTRY_SEND_DEFAULT_PII=true/);
  });
});
