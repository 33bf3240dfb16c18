import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, found from this file's place (test/kit/), so tests work from any cwd. */
export const repoRoot: string = fileURLToPath(new URL('../../', import.meta.url));
/** The built bootstrap that apps load with --import (run `npm run build` first). */
export const registerPath: string = path.join(repoRoot, 'dist', 'instrumentation', 'register.js');

export interface AppOptions {
  /**
   * Environment on top of PATH and HOME; nothing else is inherited (no stray SENTRY_* / OTEL_*) but
   * TELEMETRY_HTTP_SERVER_SPANS, which an app's own env still overrides.
   */
  env?: Record<string, string | undefined>;
  /** Arguments after the fixture path. */
  args?: string[];
  /** Load dist/instrumentation/register.js with --import (default true). */
  importRegister?: boolean;
  /** Extra node flags, placed before the fixture (e.g. a second --import, --max-http-header-size). */
  nodeArgs?: string[];
  /** Pass --enable-source-maps (default true); false shows what the bootstrap does on its own. */
  sourceMaps?: boolean;
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** How long to wait for `LISTENING <port>` (startApp) or for the exit (runToExit); default 20 s. */
  timeoutMs?: number;
}

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface AppProcess {
  /** The port the fixture printed in `LISTENING <port>`. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly pid: number;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /**
   * Resolves with the match of the first stdout or stderr line (past or future) matching `re`; rejects on timeout
   * or when the process exits without such a line.
   */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends a signal (default SIGTERM) and resolves when the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<ExitResult>;
  readonly exited: Promise<ExitResult>;
}

export interface RunResult extends ExitResult {
  stdout: string;
  stderr: string;
}

const DEFAULT_TIMEOUT_MS = 20_000;
const running = new Set<ChildProcess>();

/** Resolves a fixture path: absolute as is, otherwise relative to the repository root. */
export function fixturePath(fixture: string): string {
  return path.isAbsolute(fixture) ? fixture : path.join(repoRoot, fixture);
}

function buildEnv(env: AppOptions['env']): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  if (process.env['PATH'] !== undefined) clean['PATH'] = process.env['PATH'];
  if (process.env['HOME'] !== undefined) clean['HOME'] = process.env['HOME'];
  // The one setting passed through: run any e2e file against the diagnostics-channel server spans.
  const serverSpans = process.env['TELEMETRY_HTTP_SERVER_SPANS'];
  if (serverSpans !== undefined) clean['TELEMETRY_HTTP_SERVER_SPANS'] = serverSpans;
  for (const [key, value] of Object.entries(env ?? {})) {
    if (value !== undefined) clean[key] = value;
  }
  return clean;
}

function nodeArgv(fixture: string, options: AppOptions): string[] {
  const argv = (options.sourceMaps ?? true) ? ['--enable-source-maps'] : [];
  if (options.importRegister ?? true) argv.push('--import', registerPath);
  argv.push(...(options.nodeArgs ?? []), fixturePath(fixture), ...(options.args ?? []));
  return argv;
}

interface Spawned {
  child: ChildProcess;
  out: { stdout: string; stderr: string };
  lines: string[];
  onLine: Set<(line: string) => void>;
  exited: Promise<ExitResult>;
  exitResult: () => ExitResult | undefined;
}

function spawnNode(fixture: string, options: AppOptions): Spawned {
  if ((options.importRegister ?? true) && !existsSync(registerPath)) {
    throw new Error(`${registerPath} does not exist: build first (npm run build)`);
  }
  if (!existsSync(fixturePath(fixture))) throw new Error(`fixture not found: ${fixturePath(fixture)}`);
  const child = spawn(process.execPath, nodeArgv(fixture, options), {
    cwd: options.cwd ?? repoRoot,
    env: buildEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const out = { stdout: '', stderr: '' };
  const lines: string[] = [];
  const onLine = new Set<(line: string) => void>();
  const partial = { stdout: '', stderr: '' };
  const feed = (stream: 'stdout' | 'stderr', chunk: string): void => {
    out[stream] += chunk;
    const parts = (partial[stream] + chunk).split('\n');
    partial[stream] = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const listener of onLine) listener(line);
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => feed('stdout', chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => feed('stderr', chunk));
  let result: ExitResult | undefined;
  const exited = new Promise<ExitResult>((resolve) => {
    // 'close' (not 'exit') so that all output has been read when the promise resolves.
    child.once('close', (code, signal) => {
      running.delete(child);
      for (const stream of ['stdout', 'stderr'] as const) {
        if (partial[stream] !== '') feed(stream, '\n');
      }
      result = { code, signal };
      resolve(result);
    });
    child.once('error', (error) => {
      running.delete(child);
      out.stderr += `\n[spawn error] ${String(error)}`;
      result = { code: null, signal: null };
      resolve(result);
    });
  });
  return { child, out, lines, onLine, exited, exitResult: () => result };
}

function waitForLineIn(spawned: Spawned, re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  for (const line of spawned.lines) {
    const match = re.exec(line);
    if (match) return Promise.resolve(match);
  }
  return new Promise((resolve, reject) => {
    const done = (): void => {
      spawned.onLine.delete(listener);
      clearTimeout(timer);
    };
    const listener = (line: string): void => {
      const match = re.exec(line);
      if (!match) return;
      done();
      resolve(match);
    };
    const timer = setTimeout(() => {
      done();
      reject(
        new Error(
          `no line matching ${re} within ${timeoutMs} ms\n--- stderr ---\n${spawned.out.stderr}\n--- stdout ---\n${spawned.out.stdout}`,
        ),
      );
    }, timeoutMs);
    spawned.onLine.add(listener);
    void spawned.exited.then((exit) => {
      if (!spawned.onLine.has(listener)) return;
      done();
      reject(
        new Error(
          `process exited (code ${exit.code}, signal ${exit.signal}) without a line matching ${re}\n--- stderr ---\n${spawned.out.stderr}\n--- stdout ---\n${spawned.out.stdout}`,
        ),
      );
    });
  });
}

/**
 * Starts a fixture app under `node --enable-source-maps --import dist/instrumentation/register.js` and resolves
 * once it prints `LISTENING <port>`; rejects (with its stderr) if it exits or times out first, and kills it then.
 */
export async function startApp(fixture: string, options: AppOptions = {}): Promise<AppProcess> {
  const spawned = spawnNode(fixture, options);
  const { child } = spawned;
  let port: number;
  try {
    const match = await waitForLineIn(spawned, /^LISTENING (\d+)\s*$/, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    port = Number(match[1]);
  } catch (error) {
    if (!spawned.exitResult()) {
      child.kill('SIGKILL');
      await spawned.exited;
    }
    throw error;
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    stdout: () => spawned.out.stdout,
    stderr: () => spawned.out.stderr,
    waitForLine: (re, timeoutMs = DEFAULT_TIMEOUT_MS) => waitForLineIn(spawned, re, timeoutMs),
    kill: (signal = 'SIGTERM') => {
      if (!spawned.exitResult()) child.kill(signal);
      return spawned.exited;
    },
    exited: spawned.exited,
  };
}

/**
 * Runs a fixture that is expected to exit by itself (configuration errors, one-shot scripts) and resolves with its
 * exit status and output; kills it and rejects when it outlives the timeout.
 */
export async function runToExit(fixture: string, options: AppOptions = {}): Promise<RunResult> {
  const spawned = spawnNode(fixture, options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([spawned.exited, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    spawned.child.kill('SIGKILL');
    await spawned.exited;
    throw new Error(
      `${fixture} did not exit within ${timeoutMs} ms\n--- stderr ---\n${spawned.out.stderr}\n--- stdout ---\n${spawned.out.stdout}`,
    );
  }
  return { ...outcome, stdout: spawned.out.stdout, stderr: spawned.out.stderr };
}

/** Number of child processes started by the kit that are still running. */
export function runningAppCount(): number {
  return running.size;
}

/** SIGKILLs every child the kit started that is still running and waits for them to be gone. */
export async function killAllApps(): Promise<void> {
  const children = [...running];
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) {
            running.delete(child);
            resolve();
            return;
          }
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

// Last line of defence if a test file dies without its cleanup hook: never leave a fixture server running.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
