import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as base from '../../../../src/telemetry/export/otlp/exporter-base.js';

const require = createRequire(import.meta.url);

/** The package's version, from the manifest above its entry (its exports map does not expose package.json). */
function installedVersion(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (
    !existsSync(path.join(dir, 'package.json')) ||
    (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== name
  ) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json for ${name}`);
    dir = parent;
  }
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}
const installed = installedVersion('@opentelemetry/otlp-exporter-base');

// The names the layer takes from @opentelemetry/otlp-exporter-base's entries (src/telemetry/export/otlp/exporter-base.ts),
// and what each must be. Checked against 0.223.x (the lock file) and 0.301.x (.ci/otel-3x.mjs, npm pack).
const EXPECTED: Record<keyof typeof base, 'function' | 'object'> = {
  CompressionAlgorithm: 'object',
  OTLPExporterBase: 'function',
  OTLPExporterError: 'function',
  convertLegacyHttpOptions: 'function',
  createOtlpHttpExporterMetrics: 'function',
  createOtlpNetworkExportDelegate: 'function',
  httpAgentFactoryFromOptions: 'function',
  loadOtlpTransformer: 'function',
};

describe(`@opentelemetry/otlp-exporter-base ${installed} internals`, () => {
  it('is a line the layer was checked against', () => {
    expect(
      installed,
      'a new otlp-exporter-base line: check src/telemetry/export/otlp/exporter-base.ts against it',
    ).toMatch(/^0\.(223|301)\./);
  });

  it.each(Object.entries(EXPECTED))('exports %s as a %s', (name, kind) => {
    const value: unknown = (base as Record<string, unknown>)[name];
    expect(
      typeof value,
      `otlp-exporter-base ${installed} no longer exports ${name} from the entry src/telemetry/export/otlp/exporter-base.ts names`,
    ).toBe(kind);
  });

  it.each(['JsonLogsSerializer', 'ProtobufLogsSerializer', 'LogsExporterMetricsHelper'])(
    'otlp-transformer still exports %s (the OTLP/HTTP log exporter)',
    async (name) => {
      const transformer = (await base.loadOtlpTransformer()) as unknown as Record<string, unknown>;
      expect(
        transformer[name],
        `otlp-transformer no longer exports ${name}: see src/telemetry/logs/otlp-logs-exporter.ts`,
      ).toBeDefined();
    },
  );

  it('still takes the gzip setting as the layer passes it', () => {
    expect(base.CompressionAlgorithm.GZIP).toBe('gzip');
  });
});
