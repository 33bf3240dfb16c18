// Child processes for the benchmarks: pinned with taskset, started and stopped by pid only.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const SERVER_CPU = process.env.BENCH_SERVER_CPU ?? '0';
export const LOAD_CPU = process.env.BENCH_LOAD_CPU ?? '1';

const started = new Set();

/** The environment children get: PATH and HOME plus what the configuration sets, nothing inherited. */
export function childEnv(extra) {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...extra };
}

export function spawnPinned(cpu, command, args, env, cwd = ROOT) {
  const child = spawn('taskset', ['-c', cpu, command, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** Resolves with the first stdout line matching `pattern` (its match), or rejects with what was printed. */
export function waitForLine(child, pattern, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => done(new Error(`timed out waiting for ${pattern}\nstdout: ${out}\nstderr: ${err}`)),
      timeoutMs,
    );
    const onOut = (chunk) => {
      out += chunk;
      const match = pattern.exec(out);
      if (match) done(undefined, match);
    };
    const onErr = (chunk) => {
      err += chunk;
    };
    const onExit = (code) => done(new Error(`exited (${code}) before ${pattern}\nstdout: ${out}\nstderr: ${err}`));
    function done(error, match) {
      clearTimeout(timer);
      child.stdout.off('data', onOut);
      child.stderr.off('data', onErr);
      child.off('exit', onExit);
      // Keep draining the pipes so a chatty child never blocks on a full pipe.
      child.stdout.resume();
      child.stderr.resume();
      if (error) reject(error);
      else resolve(match);
    }
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', onOut);
    child.stderr.on('data', onErr);
    child.once('exit', onExit);
  });
}

export async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

export async function stopAll() {
  await Promise.all([...started].map(stop));
}

/** Resident set size of a process in bytes, from /proc. */
export function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** CPU time (user + system) a process has used, in ms, from /proc (in clock ticks, 100 a second on Linux). */
export function cpuTimeOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Runs a command to completion, pinned, and returns its stdout. */
export async function runPinned(cpu, command, args, env, timeoutMs = 600_000) {
  const child = spawnPinned(cpu, command, args, env);
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (err += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}\n${out}\n${err}`);
  return out;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
