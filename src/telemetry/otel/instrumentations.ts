/**
 * The curated instrumentation set. Only packages whose target module the app has installed are imported, so
 * start-up pays for what the app uses; `all` hands over to auto-instrumentations-node and its env switches.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import { ConfigError } from '../config/errors.js';

/** Hooks other modules add to the HTTP client/server and fetch instrumentations (propagation rules, ...). */
export interface InstrumentationHooks {
  http?: HttpInstrumentationConfig;
  undici?: UndiciInstrumentationConfig;
}

/** Optional instrumentations: the npm module they patch, and how to build them. */
const OPTIONAL: Array<{ module: string; load: (logSending: boolean) => Promise<Instrumentation> }> = [
  {
    module: 'express',
    load: async () => {
      const { ExpressInstrumentation, ExpressLayerType } = await import('@opentelemetry/instrumentation-express');
      // Router and middleware layers are noise in a trace; the route handler and the server span remain.
      return new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] });
    },
  },
  {
    module: 'openai',
    load: async () => new (await import('@opentelemetry/instrumentation-openai')).OpenAIInstrumentation(),
  },
  // Trace ids in log lines always; log sending (every line parsed into a record) only when logs are on.
  {
    module: 'pino',
    load: async (logSending) =>
      new (await import('@opentelemetry/instrumentation-pino')).PinoInstrumentation({ disableLogSending: !logSending }),
  },
  {
    module: 'winston',
    load: async (logSending) => {
      const warning = logSending ? winstonTransportMissing() : undefined;
      if (warning) process.stderr.write(`otel-sentry-bridge: warning: ${warning}\n`);
      return new (await import('@opentelemetry/instrumentation-winston')).WinstonInstrumentation({
        disableLogSending: !logSending,
      });
    },
  },
  { module: 'pg', load: async () => new (await import('@opentelemetry/instrumentation-pg')).PgInstrumentation() },
  {
    module: 'mysql2',
    load: async () => new (await import('@opentelemetry/instrumentation-mysql2')).MySQL2Instrumentation(),
  },
  {
    module: 'mongodb',
    load: async () => new (await import('@opentelemetry/instrumentation-mongodb')).MongoDBInstrumentation(),
  },
  {
    module: 'ioredis',
    load: async () => new (await import('@opentelemetry/instrumentation-ioredis')).IORedisInstrumentation(),
  },
  {
    module: 'redis',
    load: async () => new (await import('@opentelemetry/instrumentation-redis')).RedisInstrumentation(),
  },
];

/**
 * The winston instrumentation sends lines through @opentelemetry/winston-transport, an optional peer dependency:
 * it pulls winston's transport base and formatters (about 14 packages) that only winston apps have anyway.
 * Without it the instrumentation drops every line with a diag message at most; this says so at start-up.
 */
export function winstonTransportMissing(
  resolve: (name: string) => string = createRequire(import.meta.url).resolve,
): string | undefined {
  try {
    resolve('@opentelemetry/winston-transport');
    return undefined;
  } catch {
    return (
      "winston is installed and TELEMETRY_LOGS is on, but @opentelemetry/winston-transport is not: winston's lines " +
      'are not exported. npm install @opentelemetry/winston-transport@0.34 (Node 20, OpenTelemetry JS 2.x) or @0.35 (3.x)'
    );
  }
}

/** Whether `name` resolves from `fromDir` the way Node would look it up (node_modules of each ancestor). */
function isModuleInstalled(name: string, fromDir: string): boolean {
  let dir = fromDir;
  for (;;) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true;
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

/**
 * auto-instrumentations-node is an optional peer dependency: it pulls about 80 packages (every instrumentation it
 * knows) that the curated set never loads, so only apps that ask for `all` install it.
 */
async function importAutoInstrumentations(): Promise<typeof import('@opentelemetry/auto-instrumentations-node')> {
  try {
    return await import('@opentelemetry/auto-instrumentations-node');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new ConfigError(
      'TELEMETRY_INSTRUMENTATIONS=all needs @opentelemetry/auto-instrumentations-node, which is not installed: ' +
        'npm install @opentelemetry/auto-instrumentations-node@0.81 (or leave TELEMETRY_INSTRUMENTATIONS unset for the curated set)',
    );
  }
}

function mergeHooks<T extends object>(base: T, extra: T | undefined): T {
  return { ...base, ...extra };
}

export async function createInstrumentations(
  mode: 'default' | 'all',
  appDir: string,
  hooks: InstrumentationHooks = {},
  /** Whether pino and winston send their records to the logs API (TELEMETRY_LOGS on). */
  logSending = false,
): Promise<Instrumentation[]> {
  if (mode === 'all') {
    const { getNodeAutoInstrumentations } = await importAutoInstrumentations();
    return getNodeAutoInstrumentations({
      '@opentelemetry/instrumentation-http': hooks.http ?? {},
      '@opentelemetry/instrumentation-undici': hooks.undici ?? {},
      '@opentelemetry/instrumentation-pino': { disableLogSending: !logSending },
      '@opentelemetry/instrumentation-winston': { disableLogSending: !logSending },
    });
  }
  const [{ HttpInstrumentation }, { UndiciInstrumentation }] = await Promise.all([
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
  ]);
  const instrumentations: Instrumentation[] = [
    new HttpInstrumentation(mergeHooks<HttpInstrumentationConfig>({}, hooks.http)),
    new UndiciInstrumentation(mergeHooks<UndiciInstrumentationConfig>({}, hooks.undici)),
  ];
  const wanted = OPTIONAL.filter((entry) => isModuleInstalled(entry.module, appDir));
  instrumentations.push(...(await Promise.all(wanted.map((entry) => entry.load(logSending)))));
  return instrumentations;
}
