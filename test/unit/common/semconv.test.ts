// The layer's copy of the semantic-convention names (src/telemetry/common/semconv.ts) must say what the pinned package
// says, and be the only place in the library that spells them.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as stableEntry from '@opentelemetry/semantic-conventions';
import * as incubatingEntry from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as copiedNames from '../../../src/telemetry/common/semconv.js';

const asRecord = (entry: object): Record<string, unknown> => ({ ...entry });
const copied = asRecord(copiedNames);
const incubating = asRecord(incubatingEntry);
const stable = asRecord(stableEntry);

const root = fileURLToPath(new URL('../../../', import.meta.url));
const SEMCONV_FILE = path.join('src', 'telemetry', 'common', 'semconv.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return /\.c?ts$/.test(entry.name) ? [relative] : [];
  });
}

/** String literals of a file, comments left out. */
function literals(file: string): string[] {
  const code = readFileSync(path.join(root, file), 'utf8')
    .replaceAll(/\/\*[\s\S]*?\*\//g, '')
    .replaceAll(/(^|[^:])\/\/.*$/gm, '$1');
  return [...code.matchAll(/'([^'\\\n]*)'|"([^"\\\n]*)"/g)].map((m) => m[1] ?? m[2] ?? '');
}

describe('semantic-convention names', () => {
  it('equal the package constants of the same name', () => {
    const names = Object.keys(copied);
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) expect({ name, value: copied[name] }).toEqual({ name, value: incubating[name] });
  });

  it('take the stable ones from the stable entry point', () => {
    const stableNames = [
      'ATTR_CODE_FUNCTION_NAME',
      'ATTR_DB_QUERY_SUMMARY',
      'ATTR_DB_SYSTEM_NAME',
      'ATTR_DEPLOYMENT_ENVIRONMENT_NAME',
      'ATTR_ERROR_TYPE',
      'ATTR_EXCEPTION_MESSAGE',
      'ATTR_EXCEPTION_STACKTRACE',
      'ATTR_EXCEPTION_TYPE',
      'ATTR_HTTP_REQUEST_METHOD',
      'ATTR_HTTP_RESPONSE_STATUS_CODE',
      'ATTR_HTTP_ROUTE',
      'ATTR_SERVICE_NAME',
      'ATTR_SERVICE_VERSION',
      'ATTR_URL_FULL',
      'ATTR_URL_PATH',
      'ATTR_URL_QUERY',
      'ATTR_CLIENT_ADDRESS',
      'ATTR_HTTP_REQUEST_METHOD_ORIGINAL',
      'ATTR_NETWORK_PEER_ADDRESS',
      'ATTR_NETWORK_PEER_PORT',
      'ATTR_NETWORK_PROTOCOL_VERSION',
      'ATTR_SERVER_ADDRESS',
      'ATTR_SERVER_PORT',
      'ATTR_URL_SCHEME',
      'ATTR_USER_AGENT_ORIGINAL',
    ];
    for (const name of stableNames) {
      expect(copied[name]).toBeDefined();
      expect(copied[name]).toBe(stable[name]);
    }
  });

  it('are spelled in semconv.ts only: the library writes no convention name as a literal elsewhere', () => {
    // Dotted names only: one-word attribute names (`state`, `type`) are ordinary words in code.
    const names = new Set(
      Object.entries(incubating)
        .filter(([key, value]) => key.startsWith('ATTR_') && typeof value === 'string' && value.includes('.'))
        .map(([, value]) => value as string),
    );
    const files = [...sourceFiles('src'), ...sourceFiles('instrumentation')].filter((file) => file !== SEMCONV_FILE);
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) =>
      literals(file)
        .filter((text) => names.has(text))
        .map((text) => `${file}: '${text}'`),
    );
    expect(found).toEqual([]);
  });
});
