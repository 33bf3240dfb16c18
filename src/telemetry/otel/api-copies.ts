/**
 * One copy of each OpenTelemetry package the app and the layer share. They are the layer's peer dependencies:
 * the layer registers its tracer provider, context manager and propagator on the `@opentelemetry/api` copy it
 * imports, so an app that resolves another copy (npm nests one when the app's version lies outside the layer's
 * peer range, or when a dependency bundles its own) gets a no-op tracer from that copy: its spans are dropped
 * without a word, and the exporter's own requests, traced by the other copy, can feed themselves. A second copy of
 * an SDK package (core, sdk-trace...) means two SDK instances, often of two lines, in one process: the app's span
 * processors, propagators or instrumentations are then built on a copy the layer never sees. Start-up
 * (register.ts) and `doctor` both refuse that state instead.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageManifest } from '../common/package-version.js';

export const API_PACKAGE = '@opentelemetry/api';

/** The peer dependencies the layer shares with the app, besides the API (package.json peerDependencies). */
export const SHARED_SDK_PACKAGES: readonly string[] = [
  '@opentelemetry/core',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/resources',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/instrumentation',
];

export interface PackageCopy {
  version: string;
  /** The package's folder, symlinks resolved. */
  dir: string;
}

export interface SecondCopy {
  name: string;
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
    // Not installed where `fromDir` looks: the answer the callers ask for.
    return undefined;
  }
  const dir = packageDir(entry, name);
  if (dir === undefined) return undefined;
  let version = 'unknown';
  try {
    version = String(
      (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version,
    );
  } catch {
    // The version only makes the message clearer; the folder is what identifies the copy.
  }
  return { version, dir: realpathSync(dir) };
}

const layerDir = path.dirname(fileURLToPath(import.meta.url));

const layerCopies = new Map<string, PackageCopy | undefined>();

/** The layer's own copy of `name`: the one this module (and so the whole layer) imports. Fixed for the process. */
export function layerCopy(name: string): PackageCopy | undefined {
  if (!layerCopies.has(name)) layerCopies.set(name, resolvePackage(name, layerDir));
  return layerCopies.get(name);
}

export function layerApiCopy(): PackageCopy | undefined {
  return layerCopy(API_PACKAGE);
}

/** The app's copy of `name` when it is another than the layer's; undefined when they share one or the app has none. */
export function findSecondCopy(name: string, appDir: string): SecondCopy | undefined {
  const layer = layerCopy(name);
  const app = resolvePackage(name, appDir);
  if (!layer || !app || layer.dir === app.dir) return undefined;
  return { name, layer, app, appDir };
}

/** Every shared package (the API first) of which the app reaches another copy than the layer. */
export function findSecondCopies(appDir: string): SecondCopy[] {
  return [API_PACKAGE, ...SHARED_SDK_PACKAGES].flatMap((name) => findSecondCopy(name, appDir) ?? []);
}

function peerRange(name: string): string | undefined {
  // The range only makes the fix in the message more precise; the message stands without it.
  const peers = packageManifest()?.peerDependencies as Record<string, string> | undefined;
  return peers?.[name];
}

/**
 * The shared packages the layer cannot resolve at all: peers npm 7+ installs by itself, but not with
 * --legacy-peer-deps, nor pnpm without auto-install-peers, nor yarn.
 */
export function missingPeers(): string[] {
  return [API_PACKAGE, ...SHARED_SDK_PACKAGES].filter((name) => layerCopy(name) === undefined);
}

export function missingPeersMessage(names: readonly string[]): string {
  const specs = names.map((name) => {
    const range = peerRange(name);
    return range ? `"${name}@${range}"` : name;
  });
  return (
    `otel-sentry-bridge's peer dependencies are not installed: ${names.join(', ')}. Fix: npm install ` +
    `${specs.join(' ')} (npm picks the line of this Node), or install without --legacy-peer-deps.`
  );
}

/** What start-up prints and `doctor` reports: both copies and the fix. */
export function secondCopyMessage(copies: SecondCopy): string {
  const effect =
    copies.name === API_PACKAGE
      ? "Spans made through the app's copy would never be exported."
      : "Two OpenTelemetry SDKs in one process: what the app builds on its copy (span processors, propagators, instrumentations) is invisible to the layer's.";
  return (
    `two copies of ${copies.name}: the app resolves ${copies.app.version} at ${copies.app.dir}, ` +
    `otel-sentry-bridge uses ${copies.layer.version} at ${copies.layer.dir}. ${effect} ` +
    `Fix: install one version that satisfies otel-sentry-bridge's peer range (npm ls ${copies.name} shows who ` +
    `pulls each; npm install ${copies.name}@${copies.layer.version} then npm dedupe).`
  );
}

/** Where the app lives: its entry script's folder, else the working directory. */
export function appDirOf(argv: readonly string[] = process.argv, cwd: string = process.cwd()): string {
  return argv[1] ? path.dirname(path.resolve(cwd, argv[1])) : cwd;
}
