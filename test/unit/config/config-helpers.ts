/** Temp folders for configuration tests: an app with a package.json, optionally a git repository. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../src/telemetry/config/index.js';
import type { TelemetryConfig } from '../../../src/telemetry/common/types.js';

export const DSN_KEY = '0123456789abcdef0123456789abcdef';
export const DSN = `https://${DSN_KEY}@o42.ingest.sentry.io/4505`;

const made: string[] = [];

/** A temp folder holding a package.json (`null`: none). */
export function makeApp(pkg: Record<string, unknown> | null = { name: 'demo-app', version: '1.2.3' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'osb-config-'));
  made.push(dir);
  if (pkg !== null) writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  return dir;
}

export function cleanupApps(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/** Runs git in `dir` (the tests may spawn git; the code under test must not), isolated from the user's config. */
export function git(dir: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('GIT_')) env[key] = value;
  Object.assign(env, {
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'test',
    GIT_AUTHOR_EMAIL: 'test@example.com',
    GIT_COMMITTER_NAME: 'test',
    GIT_COMMITTER_EMAIL: 'test@example.com',
  });
  const result = spawnSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

export function load(dir: string, env: Record<string, string>): Promise<TelemetryConfig> {
  return loadConfig({ env, cwd: dir, appPath: dir });
}

export async function loadError(dir: string, env: Record<string, string>): Promise<ConfigError> {
  try {
    await load(dir, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}
