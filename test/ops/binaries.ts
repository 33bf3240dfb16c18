import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url));
/** The Collector configs, the compose stack and its scripts: ops files, outside the library package. */
export const opsDir: string = path.join(repoRoot, 'ops');
export const collectorDir: string = path.join(opsDir, 'otel-collector');
const buildScript = path.join(opsDir, 'scripts', 'build-collector.sh');

export type OpsBinary = 'collector' | 'promtool' | 'jaeger';

/**
 * Builds one ops binary with ops/scripts/build-collector.sh (a cache hit returns at once) and returns its path.
 * Progress goes to this process's stderr. Throws with the script's own explanation when it fails, e.g. when
 * the Go toolchain is missing: the ops tests are never skipped for that.
 */
export function buildBinary(what: OpsBinary): string {
  const result = spawnSync('bash', [buildScript, what], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`could not run ${buildScript}: ${result.error.message}`);
  const stderr = result.stderr ?? '';
  if (result.status !== 0) {
    const tail = stderr.trim().split('\n').slice(-25).join('\n');
    throw new Error(`building the ${what} binary failed (exit ${result.status}):\n${tail}`);
  }
  const lines = (result.stdout ?? '').trim().split('\n');
  const binary = lines[lines.length - 1]?.trim() ?? '';
  if (!binary || !existsSync(binary))
    throw new Error(`${buildScript} ${what} printed no binary path:\n${result.stdout}\n${stderr}`);
  return binary;
}
