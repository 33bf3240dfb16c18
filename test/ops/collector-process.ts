import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { collectorDir } from './binaries.js';

/** A free TCP port on 127.0.0.1 (bound and released; the Collector binds it right after). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The environment a Collector child gets: PATH and friends, no proxies, plus the given variables. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'LANG'])
    if (process.env[key] !== undefined) base[key] = process.env[key];
  return { ...base, NO_PROXY: '*', no_proxy: '*', ...env };
}

export interface ValidateResult {
  ok: boolean;
  output: string;
}

/** `otelcol-osb validate --config=<file>`: resolves the config, builds every component, starts nothing. */
export function validateConfig(bin: string, config: string, env: Record<string, string> = {}): ValidateResult {
  const file = path.isAbsolute(config) ? config : path.join(collectorDir, config);
  const result = spawnSync(bin, ['validate', `--config=${file}`], {
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

export interface CollectorProcess {
  readonly name: string;
  readonly healthUrl: string;
  /** Everything the Collector logged so far. */
  logs(): string;
  stop(): Promise<void>;
}

/**
 * Starts a Collector on loopback and resolves once its health_check extension answers 200. Rejects with the
 * Collector's log when it exits or does not become healthy within `readyTimeoutMs`.
 */
export async function startCollector(options: {
  bin: string;
  name: string;
  config: string;
  env: Record<string, string>;
  healthPort: number;
  /** URL that answers 200 once the process is ready (default: the health_check extension's root). */
  readyUrl?: string;
  /** Arguments instead of `--config=<file>` (e.g. for Jaeger v2). */
  args?: string[];
  readyTimeoutMs?: number;
}): Promise<CollectorProcess> {
  const file = path.isAbsolute(options.config) ? options.config : path.join(collectorDir, options.config);
  const child: ChildProcess = spawn(options.bin, options.args ?? [`--config=${file}`], {
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  let exited: number | string | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? signal;
      resolve();
    }),
  );
  const healthUrl = options.readyUrl ?? `http://127.0.0.1:${options.healthPort}/`;
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited !== undefined)
      throw new Error(`${options.name} exited (${String(exited)}) before it was healthy:\n${log}`);
    try {
      const response = await fetch(healthUrl);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${options.name} was not healthy at ${healthUrl} in time:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name: options.name, healthUrl, logs: () => log, stop };
}
