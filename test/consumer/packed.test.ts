// The packed library in fresh apps, as a new user meets it: `npm pack`, `npm install <tarball>` beside the app's
// own @opentelemetry/api, `node --import otel-sentry-bridge/register`, against the kit's fake Sentry and OTLP
// receiver. Each app must deliver its own span under the server span, an error linked to its request, and no span
// of the exporters' own requests; an app with a second API copy must stop with the message, never run silently.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Event } from '@sentry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeAfterTest,
  otlpEnv,
  request,
  runToExit,
  sentryEnv,
  startApp,
  startFakeSentry,
  startOtlpReceiver,
  useKitCleanup,
  type ReceivedSpan,
} from '../kit/index.js';
import {
  appApiVersion,
  expectedLine,
  installApp,
  installedVersion,
  newerAndOlderNode,
  otherApiVersion,
  packLibrary,
  removeInstalledApps,
  runBin,
  type InstalledApp,
} from './packed-app.js';

useKitCleanup();

// The layer's own install footprint, measured on the node:http app (the tarball and @opentelemetry/api only):
// 310 packages with the example service's dependencies inside the package, 206 without them, 102 once
// auto-instrumentations-node became an optional peer and unused SDK packages dev dependencies, 109 on the 2.x
// line and 114 on the 3.x line (whose contrib instrumentations nest their own @opentelemetry/instrumentation 0.300)
// once the SDK became peers with ranges per line; with the logs SDK 110 (2.x) and 116 (3.x: api-logs too), after
// winston-transport became an optional peer (as a dependency it made 123 on 2.x). The ceiling leaves room for the
// profiler only: raise it deliberately, with the new figure in the README.
const PACKAGE_CEILING = 120;

let tarball: string;
beforeAll(() => {
  tarball = packLibrary();
});
afterAll(removeInstalledApps);

const bootstrap = ['--import', 'otel-sentry-bridge/register'];

async function exercise(app: InstalledApp, entry: string): Promise<void> {
  const sentry = closeAfterTest(await startFakeSentry());
  const otlp = closeAfterTest(await startOtlpReceiver());
  const running = await startApp(path.join(app.dir, entry), {
    importRegister: false,
    nodeArgs: bootstrap,
    cwd: app.dir,
    env: {
      ...sentryEnv(sentry),
      ...otlpEnv(otlp),
      TELEMETRY_EXPORTERS: 'sentry,otlp',
      SENTRY_TRACES_SAMPLE_RATE: '1',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'consumer',
    },
  });
  expect((await request(`${running.url}/hello/ada`)).status).toBe(200);
  expect((await request(`${running.url}/fail`)).status).toBe(500);

  const [work] = await otlp.waitForSpans((s) => s.name === 'consumer.work');
  expect(work!.attributes['consumer.name']).toBe('ada');
  const servers = await otlp.waitForSpans((s) => s.kindName === 'server', 10_000, 2);
  const helloServer = servers.find((s) => s.traceId === work!.traceId);
  expect(helloServer, 'server span of /hello').toBeDefined();
  const tree = otlp.spans.filter((s) => s.traceId === work!.traceId);
  const ancestors = (span: ReceivedSpan): string[] => {
    const parent = tree.find((s) => s.spanId === span.parentSpanId);
    return parent ? [parent.spanId, ...ancestors(parent)] : [];
  };
  expect(ancestors(work!)).toContain(helloServer!.spanId);
  // Both backends get the app's span.
  await sentry.waitForSpans((s) => s.name === 'consumer.work');

  const [event] = await sentry.waitForEvents((e: Event) => e.exception?.values?.[0]?.value === 'consumer failure');
  const failServer = servers.find((s) => s.traceId === event!.contexts?.trace?.trace_id);
  expect(failServer, 'the error event names the trace of its request').toBeDefined();
  expect(otlp.spans.filter((s) => s.traceId === failServer!.traceId).map((s) => s.spanId)).toContain(
    event!.contexts?.trace?.span_id,
  );

  // The apps make no outgoing calls: any client span would be an exporter's own request.
  await otlp.waitForSpans((s) => s.traceId === failServer!.traceId);
  expect([...otlp.spans, ...sentry.spans].filter((s) => s.kindName === 'client')).toEqual([]);
  const exit = await running.kill('SIGTERM');
  expect(exit.code).toBe(0);
}

describe('the packed library in a plain node:http app', () => {
  let app: InstalledApp;
  beforeAll(() => {
    app = installApp('node-http', tarball);
    process.stdout.write(
      `consumer footprint (node:http app, tarball + @opentelemetry/api): ${JSON.stringify(app.footprint)}\n`,
    );
  });

  it(`installs at most ${PACKAGE_CEILING} packages`, () => {
    expect(app.footprint.packages).toBeLessThanOrEqual(PACKAGE_CEILING);
  });

  it(`installs the OpenTelemetry JS ${expectedLine}.x line of this Node, with the app's own API as the layer's`, () => {
    expect(installedVersion(app.dir, '@opentelemetry/api')).toBe(appApiVersion);
    for (const name of ['@opentelemetry/core', '@opentelemetry/sdk-trace', '@opentelemetry/resources']) {
      expect(installedVersion(app.dir, name).split('.')[0], name).toBe(String(expectedLine));
    }
    expect(installedVersion(app.dir, '@opentelemetry/instrumentation')).toMatch(
      expectedLine === 3 ? /^0\.301\./ : /^0\.223\./,
    );
    // The layer nests none of its peers: they are the app's copies.
    const nested = path.join(app.dir, 'node_modules', 'otel-sentry-bridge', 'node_modules', '@opentelemetry');
    const peers = ['api', 'core', 'sdk-trace', 'resources', 'context-async-hooks', 'instrumentation'];
    const present = (() => {
      try {
        return readdirSync(nested);
      } catch {
        return [];
      }
    })();
    expect(present.filter((name) => peers.includes(name))).toEqual([]);
  });

  it("exports the app's own span under the server span, the linked error, and no exporter request", async () => {
    await exercise(app, 'app.mjs');
  });

  it('says what to install when TELEMETRY_INSTRUMENTATIONS=all asks for the optional auto-instrumentations', async () => {
    const result = await runToExit(path.join(app.dir, 'app.mjs'), {
      importRegister: false,
      nodeArgs: bootstrap,
      cwd: app.dir,
      env: { TELEMETRY_INSTRUMENTATIONS: 'all', TELEMETRY_EXPORTERS: 'none' },
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('LISTENING');
    expect(result.stderr).toContain(
      'TELEMETRY_INSTRUMENTATIONS=all needs @opentelemetry/auto-instrumentations-node, which is not installed',
    );
  });

  it('ships every source map with its sources (the .ts files are not in the package)', () => {
    const dist = path.join(app.dir, 'node_modules', 'otel-sentry-bridge', 'dist');
    const maps = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.map'));
    // The build bundles the modules (scripts/bundle.mjs): a few maps, each naming the .ts files of its bundle.
    const sources = new Set<string>();
    for (const file of maps) {
      const map = JSON.parse(readFileSync(path.join(dist, file), 'utf8')) as {
        sources: string[];
        sourcesContent?: Array<string | null>;
      };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      expect(
        map.sourcesContent?.every((text) => typeof text === 'string' && text.length > 0),
        file,
      ).toBe(true);
      for (const source of map.sources) sources.add(path.resolve(path.dirname(file), source));
    }
    expect([...sources].filter((source) => source.endsWith('.ts')).length).toBeGreaterThan(50);
  });

  it('refuses to start beside a second @opentelemetry/api, naming both copies and the fix; doctor fails it too', async () => {
    const nested = installApp('second-api-copy', undefined, {
      into: path.join(app.dir, 'packages', 'second'),
      dependencies: { '@opentelemetry/api': otherApiVersion },
    });
    const result = await runToExit(path.join(nested.dir, 'app.mjs'), {
      importRegister: false,
      nodeArgs: bootstrap,
      cwd: nested.dir,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('LISTENING');
    const appCopy = path.join(nested.dir, 'node_modules', '@opentelemetry', 'api');
    const layerCopy = path.join(app.dir, 'node_modules', '@opentelemetry', 'api');
    expect(result.stderr).toContain('otel-sentry-bridge: cannot start: two copies of @opentelemetry/api');
    expect(result.stderr).toContain(`the app resolves ${otherApiVersion} at ${appCopy}`);
    expect(result.stderr).toContain(`otel-sentry-bridge uses ${appApiVersion} at ${layerCopy}`);
    expect(result.stderr).toContain('Fix: install one version');

    const doctor = await runToExit(
      path.join(app.dir, 'node_modules', 'otel-sentry-bridge', 'dist', 'src', 'cli', 'main.js'),
      {
        importRegister: false,
        args: ['doctor', '--no-send', '--json'],
        cwd: nested.dir,
      },
    );
    const report = JSON.parse(doctor.stdout) as {
      ok: boolean;
      checks: Array<{ id: string; status: string; fix?: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'otel.api-copies')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining(appCopy),
    });
  });
});

describe('the packed library beside another copy or line of the SDK', () => {
  let app: InstalledApp;
  beforeAll(() => {
    app = installApp('node-http', tarball);
  });

  it('refuses to start beside a second @opentelemetry/core, naming both copies and the fix; doctor fails it too', async () => {
    const layerCore = installedVersion(app.dir, '@opentelemetry/core');
    const otherCore =
      expectedLine === 3 ? (layerCore === '3.1.0' ? '3.1.1' : '3.1.0') : layerCore === '2.12.0' ? '2.12.1' : '2.12.0';
    // --legacy-peer-deps: the package brings its own core, not an API copy for core's peer (the test above).
    const nested = installApp('second-sdk-copy', undefined, {
      into: path.join(app.dir, 'packages', 'sdk'),
      dependencies: { '@opentelemetry/core': otherCore },
      npmArgs: ['--legacy-peer-deps'],
    });
    const result = await runToExit(path.join(nested.dir, 'app.mjs'), {
      importRegister: false,
      nodeArgs: bootstrap,
      cwd: nested.dir,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('LISTENING');
    const appCopy = path.join(nested.dir, 'node_modules', '@opentelemetry', 'core');
    const layerCopy = path.join(app.dir, 'node_modules', '@opentelemetry', 'core');
    expect(result.stderr).toContain(
      `otel-sentry-bridge: cannot start: two copies of @opentelemetry/core: the app resolves ${otherCore} at ${appCopy}`,
    );
    expect(result.stderr).toContain(`otel-sentry-bridge uses ${layerCore} at ${layerCopy}`);
    expect(result.stderr).toContain('Fix: install one version');
    expect(result.stderr).not.toContain('two copies of @opentelemetry/api');

    const doctor = await runToExit(
      path.join(app.dir, 'node_modules', 'otel-sentry-bridge', 'dist', 'src', 'cli', 'main.js'),
      {
        importRegister: false,
        args: ['doctor', '--no-send', '--json'],
        cwd: nested.dir,
      },
    );
    const report = JSON.parse(doctor.stdout) as {
      ok: boolean;
      checks: Array<{ id: string; status: string; fix?: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'otel.sdk-copies')).toMatchObject({
      status: 'fail',
      fix: expect.stringContaining(appCopy),
    });
    expect(report.checks.find((c) => c.id === 'otel.api-copies')).toMatchObject({ status: 'ok' });
  });

  it("refuses to start without the peers and on mixed lines (--legacy-peer-deps, the other line's API); doctor too", async () => {
    const mixed = installApp('node-http', tarball, {
      dependencies: { '@opentelemetry/api': otherApiVersion },
      npmArgs: ['--legacy-peer-deps'],
    });
    const result = await runToExit(path.join(mixed.dir, 'app.mjs'), {
      importRegister: false,
      nodeArgs: bootstrap,
      cwd: mixed.dir,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('LISTENING');
    const sdk = installedVersion(mixed.dir, '@opentelemetry/sdk-trace');
    expect(result.stderr).toContain(
      `otel-sentry-bridge: cannot start: mixed OpenTelemetry JS lines (@opentelemetry/sdk-trace ${sdk}, @opentelemetry/api ${otherApiVersion})`,
    );
    // --legacy-peer-deps installs no peer: context-async-hooks is nobody's dependency but the layer's peer.
    expect(result.stderr).toContain(
      "otel-sentry-bridge: cannot start: otel-sentry-bridge's peer dependencies are not installed: " +
        '@opentelemetry/context-async-hooks. Fix: npm install "@opentelemetry/context-async-hooks@^2.12.0 || ^3.1.0"',
    );
    expect(result.stderr).not.toContain('    at ');

    const doctor = await runToExit(
      path.join(mixed.dir, 'node_modules', 'otel-sentry-bridge', 'dist', 'src', 'cli', 'main.js'),
      {
        importRegister: false,
        args: ['doctor', '--no-send', '--json'],
        cwd: mixed.dir,
      },
    );
    const report = JSON.parse(doctor.stdout) as {
      ok: boolean;
      checks: Array<{ id: string; status: string; summary: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.id === 'otel.sdk-copies')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining('context-async-hooks'),
    });
    expect(report.checks.find((c) => c.id === 'otel.line')).toMatchObject({
      status: 'fail',
      summary: expect.stringContaining('mixed OpenTelemetry JS lines'),
    });

    // With the test sends on, doctor still reports instead of crashing on an SDK module that cannot load against
    // this API copy (the 3.x sdk-logs needs api 1.10's exports), and says why nothing was sent.
    const sending = await runToExit(
      path.join(mixed.dir, 'node_modules', 'otel-sentry-bridge', 'dist', 'src', 'cli', 'main.js'),
      { importRegister: false, args: ['doctor', '--json'], cwd: mixed.dir },
    );
    const sent = JSON.parse(sending.stdout) as { checks: Array<{ id: string; status: string; summary: string }> };
    expect(sent.checks.find((c) => c.id === 'doctor.test-sends')).toMatchObject({
      status: 'warn',
      summary: expect.stringContaining('otel.line'),
    });
  });

  it('refuses to start the 3.x line (installed on Node 22.15+) on an older Node, naming the versions and the fix', () => {
    const { newer, older } = newerAndOlderNode();
    const installed = installApp('node-http', tarball, {
      dependencies: { '@opentelemetry/api': '1.10.0' },
      node: newer,
    });
    const sdk = installedVersion(installed.dir, '@opentelemetry/sdk-trace');
    expect(sdk).toMatch(/^3\./);
    const run = spawnSync(older, [...bootstrap, path.join(installed.dir, 'app.mjs')], {
      cwd: installed.dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TELEMETRY_EXPORTERS: 'none' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('LISTENING');
    const olderVersion = execFileSync(older, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    expect(run.stderr).toContain(
      `otel-sentry-bridge: cannot start: the OpenTelemetry JS 3.x line is installed (@opentelemetry/sdk-trace ${sdk}, ` +
        `@opentelemetry/api 1.10.0), which needs Node >= 22.15.0; this is Node ${olderVersion}.`,
    );
    expect(run.stderr).toContain('Fix: run on Node 22.15.0 or later');
    expect(run.stderr).not.toContain('    at ');
  });
});

describe('the packed library in an ESM express 5 app', () => {
  it("exports the app's own span under the server span, the linked error, and no exporter request", async () => {
    await exercise(installApp('esm-express5', tarball), 'app.mjs');
  });
});

describe('the packed library in a CommonJS express 4 app', () => {
  it("exports the app's own span under the server span, the linked error, and no exporter request", async () => {
    await exercise(installApp('cjs-express4', tarball), 'app.js');
  });
});

describe('the packed library in a TypeScript app', () => {
  it('type-checks with tsc --strict against the shipped declarations and runs compiled', async () => {
    const app = installApp('typescript', tarball);
    runBin(app.dir, 'tsc', ['-p', 'tsconfig.json', '--strict']);
    await exercise(app, path.join('dist', 'app.js'));
  });
});
