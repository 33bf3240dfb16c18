/**
 * The packed library installed the way a new user installs it: `npm pack` of the repository, then a fresh app
 * folder (copied from test/consumer/apps/) gets `npm install <tarball>` on top of its own dependencies. Installs
 * use the npm cache first (--prefer-offline) and the registry for what it lacks.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/**
 * The apps' own @opentelemetry/api: 1.9 for the 2.x line the lock file holds; .ci/run's Node 24 stage, which packs
 * the library on the 3.x line, sets CONSUMER_OTEL_API=1.10.0.
 */
export const appApiVersion: string = process.env.CONSUMER_OTEL_API ?? '1.9.1';
/** A version other than the apps', for the package that brings a second copy. */
export const otherApiVersion: string = appApiVersion.startsWith('1.10.') ? '1.9.1' : '1.10.0';
const made: string[] = [];

/** Packs the repository (needs `npm run build`) into a temporary folder and returns the tarball's path. */
export function packLibrary(): string {
  const dest = mkdtempSync(path.join(tmpdir(), 'osb-pack-'));
  made.push(dest);
  const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dest], { cwd: repoRoot, encoding: 'utf8' });
  const file = out.trim().split('\n').pop()!;
  return path.join(dest, file);
}

function footprintOf(dir: string, seconds: number): Footprint {
  const lock = JSON.parse(readFileSync(path.join(dir, 'node_modules', '.package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  const megabytes = Number(execFileSync('du', ['-sm', path.join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]);
  return { packages: Object.keys(lock.packages).length, megabytes, seconds };
}

function npmInstall(dir: string, extra: string[]): void {
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...extra], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
}

/**
 * A fresh copy of test/consumer/apps/<name> with its dependencies and, when given, the tarball installed; `into`
 * places it inside another app (a package of a monorepo).
 */
export function installApp(name: string, tarball: string | undefined, into?: string): InstalledApp {
  const dir = into ?? path.join(mkdtempSync(path.join(tmpdir(), `osb-${name}-`)), name);
  if (!into) made.push(path.dirname(dir));
  cpSync(path.join(appsDir, name), dir, { recursive: true });
  const manifest = path.join(dir, 'package.json');
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name: string; dependencies: Record<string, string> };
  pkg.dependencies['@opentelemetry/api'] = name === 'second-api-copy' ? otherApiVersion : appApiVersion;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
  const started = performance.now();
  npmInstall(dir, tarball ? [tarball] : []);
  return { dir, footprint: footprintOf(dir, Math.round((performance.now() - started) / 100) / 10) };
}

/** Runs a package binary of the app (e.g. tsc) and returns its output; throws with the output on failure. */
export function runBin(dir: string, bin: string, args: string[]): string {
  return execFileSync(path.join(dir, 'node_modules', '.bin', bin), args, { cwd: dir, encoding: 'utf8' });
}

export function removeInstalledApps(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
