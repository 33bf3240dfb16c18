/**
 * The optional config module (`telemetry.config.{js,mjs}` or TELEMETRY_CONFIG): callbacks and pattern lists
 * that environment variables cannot express. Loaded with `import()`, so it may be ESM or CommonJS.
 */
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Pattern, UserConfig } from '../common/types.js';
import { peerEntryProblem } from './baggage-peers.js';
import type { Problems } from './errors.js';

const VARIABLE = 'TELEMETRY_CONFIG';
const DEFAULT_FILES = ['telemetry.config.js', 'telemetry.config.mjs'];
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts', '.tsx']);

const FUNCTION_KEYS = ['tracesSampler', 'beforeSend', 'beforeBreadcrumb'] as const;
const PATTERN_KEYS = [
  'ignoreErrors',
  'ignoreSpans',
  'tracePropagationTargets',
  'baggageTargets',
  'scrubPatterns',
  'scrubKeys',
] as const;
const KNOWN_KEYS = new Set<string>([
  ...FUNCTION_KEYS,
  ...PATTERN_KEYS,
  'baggageAcceptFrom',
  'orgId',
  'strictTraceContinuation',
]);

export interface LoadedModule {
  file: string;
  config: UserConfig;
}

/** Identity: gives a plain JS config module the `UserConfig` type in editors (through JSDoc or TS checking). */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

/** The module named by TELEMETRY_CONFIG, else the default file when present, else undefined. */
export function locateConfigModule(explicit: string | undefined, cwd: string): string | undefined {
  if (explicit !== undefined) return resolve(cwd, explicit);
  return DEFAULT_FILES.map((file) => resolve(cwd, file)).find((file) => existsSync(file));
}

/**
 * Imports and validates the module. `explicit` is TELEMETRY_CONFIG as written, or undefined when the file is
 * the default one found in cwd.
 */
export async function loadConfigModule(
  file: string,
  explicit: string | undefined,
  problems: Problems,
): Promise<LoadedModule | undefined> {
  const subject =
    explicit === undefined
      ? `${file} (the default config module; ${VARIABLE} is not set)`
      : `${VARIABLE}=${JSON.stringify(explicit)}`;
  const fail = (cause: string): undefined => {
    problems.add(`${subject}: ${cause}`);
    return undefined;
  };
  if (TYPESCRIPT.has(extname(file).toLowerCase())) {
    return fail(
      `Node 20 cannot import TypeScript at run time. Accepted: a .js, .mjs or .cjs module; compile the ` +
        `config with the app, or write telemetry.config.mjs (typed through JSDoc and defineConfig).`,
    );
  }
  if (!existsSync(file))
    return fail(`the file ${file} does not exist. Accepted: the path of a .js, .mjs or .cjs module.`);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    return fail(`the module ${file} failed to load: ${describe(error)}`);
  }
  const exported = namespace.default ?? namespace.config;
  if (
    typeof exported === 'object' &&
    exported !== null &&
    typeof (exported as { then?: unknown }).then === 'function'
  ) {
    // A promise has no own keys and would pass as an empty config: the settings it resolves to would be lost.
    return fail(`the module ${file} exports a Promise. Accepted: the config object itself (use top-level await).`);
  }
  if (typeof exported !== 'object' || exported === null || Array.isArray(exported)) {
    return fail(
      `the module ${file} exports ${exported === undefined ? 'nothing usable' : kind(exported)}. ` +
        'Accepted: `export default defineConfig({...})` or `export const config = {...}`.',
    );
  }
  const before = problems.list.length;
  const config = validateUserConfig(exported as Record<string, unknown>, file, problems);
  return problems.list.length === before ? { file, config } : undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** The value's type with its article, for messages: `a number`, `an array`. */
function kind(value: unknown): string {
  if (value === null) return 'null';
  const name = Array.isArray(value) ? 'array' : typeof value;
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

function isPatternList(value: unknown): value is Pattern[] {
  return Array.isArray(value) && value.every((entry) => typeof entry === 'string' || entry instanceof RegExp);
}

/** Checks every key's type; the module is user code, and a wrong type would only fail later, per request. */
export function validateUserConfig(raw: Record<string, unknown>, file: string, problems: Problems): UserConfig {
  const where = (key: string): string => `${file}: ${key}`;
  const config: UserConfig = {};
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) {
      problems.add(`${where(key)} is not a known key. Accepted keys: ${[...KNOWN_KEYS].join(', ')}.`);
    }
  }
  for (const key of FUNCTION_KEYS) {
    const value = raw[key];
    if (value === undefined) continue;
    if (typeof value !== 'function') {
      problems.add(`${where(key)} is ${kind(value)}. Accepted: a function.`);
      continue;
    }
    // The key decides the signature; the runtime check above is all JS can verify.
    (config as Record<string, unknown>)[key] = value;
  }
  for (const key of PATTERN_KEYS) {
    const value = raw[key];
    if (value === undefined) continue;
    if (!isPatternList(value)) {
      problems.add(`${where(key)} is not a list of patterns. Accepted: an array of strings and RegExps.`);
      continue;
    }
    config[key] = value;
  }
  const peers = raw.baggageAcceptFrom;
  if (peers !== undefined) {
    const problem = Array.isArray(peers)
      ? peers
          .map((entry) => (typeof entry === 'string' ? peerEntryProblem(entry) : `${kind(entry)} is not a string`))
          .find((p) => p !== undefined)
      : `it is ${kind(peers)}`;
    if (problem === undefined) config.baggageAcceptFrom = peers as string[];
    else
      problems.add(
        `${where('baggageAcceptFrom')}: ${problem}. Accepted: an array of IP addresses and CIDR ranges, e.g. ["10.0.4.7", "10.8.0.0/16"].`,
      );
  }
  const orgId = raw.orgId;
  if (orgId !== undefined) {
    const text = typeof orgId === 'number' || typeof orgId === 'string' ? String(orgId) : undefined;
    if (text === undefined || !/^\d+$/.test(text)) {
      problems.add(
        `${where('orgId')} is ${JSON.stringify(orgId) ?? kind(orgId)}. Accepted: the numeric organization id, e.g. "12345".`,
      );
    } else {
      config.orgId = text;
    }
  }
  const strict = raw.strictTraceContinuation;
  if (strict !== undefined) {
    if (typeof strict !== 'boolean') {
      problems.add(`${where('strictTraceContinuation')} is ${kind(strict)}. Accepted: true or false.`);
    } else {
      config.strictTraceContinuation = strict;
    }
  }
  return config;
}
