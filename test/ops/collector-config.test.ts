// Every Collector config is validated by the real distribution built from otel-collector/builder-config.yaml.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { collectorDir } from './binaries.js';
import { validateConfig } from './collector-process.js';

const bin = inject('otelcolBin');
const gatewayEnv = {
  SENTRY_OTLP_TRACES_URL: 'http://127.0.0.1:9/api/4242/integration/otlp/v1/traces/',
  SENTRY_OTLP_LOGS_URL: 'http://127.0.0.1:9/api/4242/integration/otlp/v1/logs/',
  SENTRY_OTLP_AUTH: 'Sentry sentry_version=7, sentry_key=0123456789abcdef0123456789abcdef',
};

describe('Collector configs on the built distribution', () => {
  it('the distribution holds every component the configs and the issue name', () => {
    const manifest = parse(readFileSync(path.join(collectorDir, 'builder-config.yaml'), 'utf8')) as Record<
      string,
      { gomod: string }[]
    >;
    const versions = new Set(
      ['receivers', 'processors', 'connectors', 'exporters', 'extensions'].flatMap((kind) =>
        (manifest[kind] ?? []).map((entry) => entry.gomod.split(' ')[1]),
      ),
    );
    expect([...versions], 'every component at one Collector release').toEqual(['v0.161.0']);
  });

  it('gateway.yaml is valid', () => {
    const result = validateConfig(bin, 'gateway.yaml', gatewayEnv);
    expect(result.output).not.toMatch(/error/i);
    expect(result.ok, result.output).toBe(true);
  });

  it('agent.yaml is valid, with its default gateways and with a list from GATEWAY_ENDPOINTS', () => {
    const defaults = validateConfig(bin, 'agent.yaml');
    expect(defaults.ok, defaults.output).toBe(true);
    const listed = validateConfig(bin, 'agent.yaml', {
      GATEWAY_ENDPOINTS: '[127.0.0.1:14317, 127.0.0.1:24317, 127.0.0.1:34317]',
    });
    expect(listed.ok, listed.output).toBe(true);
  });

  it('validation is real: a broken OTTL condition and an unknown component are refused', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'osb-config-'));
    const gateway = readFileSync(path.join(collectorDir, 'gateway.yaml'), 'utf8');
    const brokenOttl = path.join(dir, 'broken-ottl.yaml');
    writeFileSync(brokenOttl, gateway.replace('IsMatch(attributes["url.path"]', 'IsMatchh(attributes["url.path"]'));
    const ottl = validateConfig(bin, brokenOttl, gatewayEnv);
    expect(ottl.ok).toBe(false);
    expect(ottl.output).toMatch(/IsMatchh/);
    const unknown = path.join(dir, 'unknown.yaml');
    writeFileSync(
      unknown,
      gateway.replace('exporters: [otlp_http/sentry, otlp_grpc/jaeger]', 'exporters: [otlp_http/sentry, zipkin]'),
    );
    const component = validateConfig(bin, unknown, gatewayEnv);
    expect(component.ok).toBe(false);
    expect(component.output).toMatch(/zipkin/);
  });
});
