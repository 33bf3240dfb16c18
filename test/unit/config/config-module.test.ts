import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/telemetry/config/index.js';
import { cleanupApps, DSN, load, loadError, makeApp, writeFile } from './config-helpers.js';

let app: string;
beforeAll(() => {
  app = makeApp();
});
afterAll(cleanupApps);

const validModule = `
const tracesSampler = (ctx) => (ctx.name.startsWith('GET /api/') ? 0.5 : ctx.inheritOrSampleWith(0.1));
export default {
  tracesSampler,
  beforeSend: (event) => event,
  beforeBreadcrumb: (crumb) => crumb,
  ignoreErrors: ['AbortError', /timeout/i],
  ignoreSpans: ['/ping', /^\\/internal\\//],
  tracePropagationTargets: ['api.example.com', /^https:\\/\\/.*\\.acme\\.io/],
  baggageTargets: [/\\.acme\\.internal$/],
  baggageAcceptFrom: ['10.0.4.7', 'fd00::/8'],
  orgId: 99,
  strictTraceContinuation: true,
};
`;

describe('config module', () => {
  it('loads telemetry.config.mjs from cwd by default and lets its values win over the environment', async () => {
    const dir = makeApp();
    const file = writeFile(dir, 'telemetry.config.mjs', validModule);
    const config = await load(dir, {
      SENTRY_DSN: DSN,
      TELEMETRY_IGNORE_PATHS: '/health',
      TELEMETRY_PROPAGATION_TARGETS: 'other.example.com',
      SENTRY_ORG_ID: '5',
      SENTRY_STRICT_TRACE_CONTINUATION: 'false',
      TELEMETRY_BAGGAGE_ACCEPT_FROM: '192.168.0.0/16',
    });
    expect(config.configFile).toBe(file);
    expect(
      config.sampling.tracesSampler?.({
        name: 'GET /api/tickets/1',
        attributes: {},
        inheritOrSampleWith: () => 0,
      }),
    ).toBe(0.5);
    expect(typeof config.sentry.beforeSend).toBe('function');
    expect(typeof config.sentry.beforeBreadcrumb).toBe('function');
    expect(config.sentry.ignoreErrors).toEqual(['AbortError', /timeout/i]);
    expect(config.sampling.ignoreSpans).toEqual(['/ping', /^\/internal\//]);
    expect(config.propagation.tracePropagationTargets).toEqual(['api.example.com', /^https:\/\/.*\.acme\.io/]);
    expect(config.propagation.baggageTargets).toEqual([/\.acme\.internal$/]);
    expect(config.propagation.baggageAcceptFrom).toEqual(['10.0.4.7', 'fd00::/8']);
    expect(config.sampling.orgId).toBe('99');
    expect(config.sampling.strictTraceContinuation).toBe(true);
  });

  it('loads telemetry.config.js (ESM package) with `export const config`', async () => {
    const dir = makeApp({ name: 'esm-app', version: '1.0.0', type: 'module' });
    writeFile(dir, 'telemetry.config.js', "export const config = { ignoreSpans: ['/status'] };\n");
    const config = await load(dir, {});
    expect(config.sampling.ignoreSpans).toEqual(['/status']);
  });

  it('loads a CommonJS module named by TELEMETRY_CONFIG relative to cwd', async () => {
    const dir = makeApp();
    const file = writeFile(dir, 'conf/telemetry.cjs', "module.exports = { ignoreErrors: ['Boom'] };\n");
    const config = await load(dir, { TELEMETRY_CONFIG: './conf/telemetry.cjs' });
    expect(config.configFile).toBe(file);
    expect(config.sentry.ignoreErrors).toEqual(['Boom']);
  });

  it('without a module, the environment values and defaults apply', async () => {
    const config = await load(app, {
      TELEMETRY_IGNORE_PATHS: '/ping, /^\\/internal\\//i',
      TELEMETRY_PROPAGATION_TARGETS: 'api.example.com,/^https:\\/\\/svc\\./',
      TELEMETRY_BAGGAGE_TARGETS: 'tenant-svc',
      TELEMETRY_BAGGAGE_ACCEPT_FROM: ' 10.0.4.7 , 10.8.0.0/16,::1',
    });
    expect(config.configFile).toBeUndefined();
    expect(config.sampling.ignoreSpans).toEqual(['/ping', /^\/internal\//i]);
    expect(config.propagation.tracePropagationTargets).toEqual(['api.example.com', /^https:\/\/svc\./]);
    expect(config.propagation.baggageTargets).toEqual(['tenant-svc']);
    expect(config.propagation.baggageAcceptFrom).toEqual(['10.0.4.7', '10.8.0.0/16', '::1']);
  });

  interface BrokenCase {
    title: string;
    file: string;
    source: string;
    cause: string[];
  }
  const broken: BrokenCase[] = [
    { title: 'syntax error', file: 'bad-syntax.mjs', source: 'export default {', cause: ['failed to load'] },
    {
      title: 'throws at load',
      file: 'throws.mjs',
      source: "throw new Error('no config for you');",
      cause: ['failed to load', 'no config for you'],
    },
    {
      title: 'imports a missing package',
      file: 'missing-dep.mjs',
      source: "import 'no-such-package-xyz';\nexport default {};",
      cause: ['failed to load', 'no-such-package-xyz'],
    },
    {
      title: 'exports nothing',
      file: 'empty.mjs',
      source: 'export const other = 1;',
      cause: ['exports nothing usable', 'export default defineConfig'],
    },
    {
      title: 'exports a function',
      file: 'fn.mjs',
      source: 'export default () => ({});',
      cause: ['exports a function', 'export default defineConfig'],
    },
    {
      title: 'exports a promise',
      file: 'promise.mjs',
      source: 'export default Promise.resolve({});',
      cause: ['exports a Promise', 'top-level await'],
    },
    {
      title: 'exports an array',
      file: 'array.mjs',
      source: "export default ['/health'];",
      cause: ['exports an array', 'export default defineConfig'],
    },
    {
      title: 'non-function tracesSampler',
      file: 'sampler.mjs',
      source: 'export default { tracesSampler: 0.5 };',
      cause: ['tracesSampler is a number', 'Accepted: a function'],
    },
    {
      title: 'non-function beforeSend',
      file: 'before.mjs',
      source: "export default { beforeSend: 'drop' };",
      cause: ['beforeSend is a string', 'Accepted: a function'],
    },
    {
      title: 'pattern list of numbers',
      file: 'patterns.mjs',
      source: 'export default { ignoreSpans: [1, 2] };',
      cause: ['ignoreSpans is not a list of patterns', 'strings and RegExps'],
    },
    {
      title: 'pattern string instead of list',
      file: 'patterns2.mjs',
      source: "export default { tracePropagationTargets: 'api' };",
      cause: ['tracePropagationTargets is not a list'],
    },
    {
      title: 'baggage peer as a host name',
      file: 'peers.mjs',
      source: "export default { baggageAcceptFrom: ['lb.internal'] };",
      cause: ['baggageAcceptFrom', '"lb.internal" is not an IP address', 'IP addresses and CIDR ranges'],
    },
    {
      title: 'baggage peers as a string',
      file: 'peers2.mjs',
      source: "export default { baggageAcceptFrom: '10.0.0.7' };",
      cause: ['baggageAcceptFrom: it is a string', 'an array of IP addresses'],
    },
    {
      title: 'bad orgId',
      file: 'org.mjs',
      source: "export default { orgId: 'acme' };",
      cause: ['orgId is "acme"', 'numeric organization id'],
    },
    {
      title: 'bad strictTraceContinuation',
      file: 'strict.mjs',
      source: "export default { strictTraceContinuation: 'yes' };",
      cause: ['strictTraceContinuation is a string', 'true or false'],
    },
    {
      title: 'unknown key (typo)',
      file: 'typo.mjs',
      source: 'export default { tracesSampleRate: 0.5 };',
      cause: ['tracesSampleRate is not a known key', 'Accepted keys: tracesSampler'],
    },
    {
      title: 'TypeScript module',
      file: 'telemetry.config.ts',
      source: 'export default {};',
      cause: ['Node 20 cannot import TypeScript at run time', '.js, .mjs or .cjs'],
    },
  ];

  it.each(broken)(
    '$title -> ConfigError naming TELEMETRY_CONFIG or the file, and the cause',
    async ({ file, source, cause }) => {
      const dir = makeApp();
      const path = writeFile(dir, file, source);
      const error = await loadError(dir, { TELEMETRY_CONFIG: file });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(file);
      expect(error.message.includes('TELEMETRY_CONFIG') || error.message.includes(path)).toBe(true);
      for (const fragment of cause) expect(error.message).toContain(fragment);
    },
  );

  it('reports a broken default module found in cwd, together with invalid variables', async () => {
    const dir = makeApp();
    writeFile(dir, 'telemetry.config.mjs', 'export default { tracesSampler: true };');
    const error = await loadError(dir, { SENTRY_TRACES_SAMPLE_RATE: '2' });
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toContain('SENTRY_TRACES_SAMPLE_RATE');
    expect(error.problems[1]).toContain('telemetry.config.mjs: tracesSampler is a boolean');
  });
});

describe('config module under plain Node (no vite transform in between)', () => {
  it('reports the SyntaxError of a default module found in cwd, naming the file', async () => {
    const dist = join(fileURLToPath(new URL('../../..', import.meta.url)), 'dist/src/telemetry/config/index.js');
    const dir = makeApp();
    const file = writeFile(dir, 'telemetry.config.mjs', 'export default {');
    const script = `
      const { loadConfig, ConfigError } = await import(${JSON.stringify(dist)});
      try { await loadConfig({ env: {} }); console.log('loaded'); }
      catch (e) { console.log(e instanceof ConfigError ? e.message : 'other: ' + e); }`;
    // Built by \`npm test\`'s pretest step (tsc); the e2e tests rely on the same build.
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(
      `${file} (the default config module; TELEMETRY_CONFIG is not set): the module ${file} failed to load: ` +
        'SyntaxError: Unexpected end of input',
    );
  });
});
