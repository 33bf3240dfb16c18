/**
 * The curated instrumentation set. Only packages whose target module the app has installed are imported, so
 * start-up pays for what the app uses; `all` hands over to auto-instrumentations-node and its env switches.
 */
import { existsSync } from 'node:fs';
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
const OPTIONAL: Array<{ module: string; load: () => Promise<Instrumentation> }> = [
  {
    module: 'express',
    load: async () => {
      const { ExpressInstrumentation, ExpressLayerType } = await import('@opentelemetry/instrumentation-express');
      // Router and middleware layers are noise in a trace; the route handler and the server span remain.
      return new ExpressInstrumentation({ ignoreLayersType: [ExpressLayerType.MIDDLEWARE, ExpressLayerType.ROUTER] });
    },
  },
  { module: 'openai', load: async () => new (await import('@opentelemetry/instrumentation-openai')).OpenAIInstrumentation() },
  // Log correlation only (trace ids in log lines): log sending would parse every line into a LoggerProvider
  // that has no processor, since the layer exports no logs.
  {
    module: 'pino',
    load: async () =>
      new (await import('@opentelemetry/instrumentation-pino')).PinoInstrumentation({ disableLogSending: true }),
  },
  {
    module: 'winston',
    load: async () =>
      new (await import('@opentelemetry/instrumentation-winston')).WinstonInstrumentation({ disableLogSending: true }),
  },
  { module: 'pg', load: async () => new (await import('@opentelemetry/instrumentation-pg')).PgInstrumentation() },
  { module: 'mysql2', load: async () => new (await import('@opentelemetry/instrumentation-mysql2')).MySQL2Instrumentation() },
  { module: 'mongodb', load: async () => new (await import('@opentelemetry/instrumentation-mongodb')).MongoDBInstrumentation() },
  { module: 'ioredis', load: async () => new (await import('@opentelemetry/instrumentation-ioredis')).IORedisInstrumentation() },
  { module: 'redis', load: async () => new (await import('@opentelemetry/instrumentation-redis')).RedisInstrumentation() },
];

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
): Promise<Instrumentation[]> {
  if (mode === 'all') {
    const { getNodeAutoInstrumentations } = await importAutoInstrumentations();
    return getNodeAutoInstrumentations({
      '@opentelemetry/instrumentation-http': hooks.http ?? {},
      '@opentelemetry/instrumentation-undici': hooks.undici ?? {},
      '@opentelemetry/instrumentation-pino': { disableLogSending: true },
      '@opentelemetry/instrumentation-winston': { disableLogSending: true },
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
  instrumentations.push(...(await Promise.all(wanted.map((entry) => entry.load()))));
  return instrumentations;
}
