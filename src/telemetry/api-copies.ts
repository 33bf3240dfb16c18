/**
 * One `@opentelemetry/api` per process. The layer registers its tracer provider, context manager and propagator
 * on the API copy it imports; an app that resolves another copy (npm nests one when the app's version lies outside
 * the layer's peer range, or when a dependency bundles its own) gets a no-op tracer from that copy, so its spans
 * are dropped without a word, and the exporter's own requests, traced by the other copy, can feed themselves.
 * Start-up (register.ts) and `doctor` both refuse that state instead.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const API_PACKAGE = '@opentelemetry/api';

export interface PackageCopy {
  version: string;
  /** The package's folder, symlinks resolved. */
  dir: string;
}

export interface SecondApiCopy {
  layer: PackageCopy;
  app: PackageCopy;
  /** The folder the app's copy was resolved from. */
  appDir: string;
}

function packageDir(entry: string, name: string): string | undefined {
  let dir = path.dirname(entry);
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === name) return dir;
      } catch {
        // An unreadable manifest is not the package's: keep looking upwards.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The copy of `name` that `require` would load from `fromDir`, or undefined when none is reachable. */
export function resolvePackage(name: string, fromDir: string): PackageCopy | undefined {
  let entry: string;
  try {
    entry = createRequire(path.join(fromDir, 'noop.js')).resolve(name);
  } catch {
    return undefined;
  }
  const dir = packageDir(entry, name);
  if (dir === undefined) return undefined;
  let version = 'unknown';
  try {
    version = String((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version);
  } catch {
    // The version only makes the message clearer; the folder is what identifies the copy.
  }
  return { version, dir: realpathSync(dir) };
}

/** The layer's own copy: the one this module (and so the whole layer) imports. */
export function layerApiCopy(): PackageCopy | undefined {
  return resolvePackage(API_PACKAGE, path.dirname(fileURLToPath(import.meta.url)));
}

/** The app's copy when it is another than the layer's; undefined when they share one or the app has none. */
export function findSecondApiCopy(appDir: string): SecondApiCopy | undefined {
  const layer = layerApiCopy();
  const app = resolvePackage(API_PACKAGE, appDir);
  if (!layer || !app || layer.dir === app.dir) return undefined;
  return { layer, app, appDir };
}

/** What start-up prints and `doctor` reports: both copies and the fix. */
export function secondApiCopyMessage(copies: SecondApiCopy): string {
  return (
    `two copies of ${API_PACKAGE}: the app resolves ${copies.app.version} at ${copies.app.dir}, ` +
    `otel-sentry-bridge uses ${copies.layer.version} at ${copies.layer.dir}. ` +
    `Spans made through the app's copy would never be exported. Fix: install one version that satisfies ` +
    `otel-sentry-bridge's peer range (npm ls ${API_PACKAGE} shows who pulls each; ` +
    `npm install ${API_PACKAGE}@${copies.layer.version} then npm dedupe).`
  );
}

/** Where the app lives: its entry script's folder, else the working directory. */
export function appDirOf(argv: readonly string[] = process.argv, cwd: string = process.cwd()): string {
  return argv[1] ? path.dirname(path.resolve(cwd, argv[1])) : cwd;
}
