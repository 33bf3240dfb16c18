// `npm run bench:perf -- <config> <app> [seconds]`: where one benchmark configuration's CPU goes per request,
// under the same wrk load and pinning as `npm run bench`, seen by Linux perf rather than V8's --cpu-prof.
// perf samples every thread (the garbage collector's helpers too) and the C++ below each JS frame (inline-cache
// misses, megamorphic lookups, allocation, the HTTP parser), which --cpu-prof folds into "(program)" or leaves
// out; V8's jitdump (--perf-prof, then `perf inject --jit`) names JS frames correctly after the code moves.
// Needs `perf` (linux-perf / linux-tools) allowed to profile your own processes (kernel.perf_event_paranoid <= 2).
// Prints microseconds of CPU per request: main thread against the other threads, by package of the first JS
// frame, and the top functions; every sample's symbolised stack stays in the output folder (samples.txt).
// The profiler adds a few per cent: compare configurations profiled back to back, not with `npm run bench`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOAD_CPU, ROOT, SERVER_CPU, childEnv, runPinned, spawnPinned, stopAll, waitForLine } from './lib/proc.mjs';
import {
  APPS,
  OURS_ARGS,
  SENTRY_CALLS_ARGS,
  oursEnv,
  rawAnchor,
  sentryOwnAnchor,
  startReceiver,
} from './lib/setups.mjs';

const HZ = 2000;
const [configId, appId, secondsArg, outArg] = process.argv.slice(2);
const seconds = Number(secondsArg ?? 8);
const CONFIGS = ['ours10', 'ours01', 'raw', 'raw01', 'sentryOwn'];
if (!CONFIGS.includes(configId) || !(appId in APPS) || !(seconds > 0)) {
  process.stderr.write(`usage: npm run bench:perf -- <${CONFIGS.join('|')}> <express|ingest> [seconds] [out dir]\n`);
  process.exit(2);
}
if (spawnSync('perf', ['--version']).error) {
  process.stderr.write('[bench:perf] perf is not installed (apt-get install linux-perf, or linux-tools-$(uname -r))\n');
  process.exit(2);
}

function configFor(id, receiver) {
  const raw = rawAnchor(receiver);
  switch (id) {
    case 'ours10':
      return { args: OURS_ARGS, env: oursEnv(receiver, 1.0) };
    case 'ours01':
      return { args: OURS_ARGS, env: oursEnv(receiver, 0.1) };
    case 'raw':
      return raw;
    case 'raw01':
      return { args: raw.args, env: { ...raw.env, BENCH_RAW_RATIO: '0.1' } };
    default: {
      // As in bench/run.mjs: on the ingest path the service's monitoring calls go to @sentry/node directly.
      const own = sentryOwnAnchor(receiver);
      return { args: [...(appId === 'ingest' ? SENTRY_CALLS_ARGS : []), ...own.args], env: own.env };
    }
  }
}

const out = outArg ?? mkdtempSync(join(tmpdir(), `bench-perf-${configId}-${appId}-`));
mkdirSync(out, { recursive: true });
const app = APPS[appId];
const receiver = await startReceiver();
const config = configFor(configId, receiver);
// --perf-prof writes jit-<pid>.dump into the server's working directory (the repository), where perf inject
// looks for it; it is removed after the inject.
const server = spawnPinned(
  SERVER_CPU,
  process.execPath,
  ['--perf-prof', '--interpreted-frames-native-stack', ...config.args, app.script],
  childEnv({ ...config.env, ...app.env(out, configId) }),
);
const [, port] = await waitForLine(server, /LISTENING (\d+)/);
const url = `http://127.0.0.1:${port}${app.path}`;
const load = (s) => [
  '-t1',
  `-c${process.env.BENCH_CONNECTIONS ?? 32}`,
  `-d${s}s`,
  ...(app.lua ? ['-s', app.lua] : []),
  url,
];
await runPinned(LOAD_CPU, 'wrk', load(3), childEnv({}));
const data = join(out, 'perf.data');
const record = ['record', '-k', '1', '-e', 'cpu-clock', '-F', String(HZ), '-g', '-p', String(server.pid), '-o', data];
// Its own build-id cache: perf would copy every jitted object into ~/.debug otherwise.
const buildIds = ['--buildid-dir', join(out, 'buildid')];
const perf = spawn('perf', [...buildIds, ...record, '--', 'sleep', String(seconds)], { stdio: 'ignore' });
const wrkOut = await runPinned(LOAD_CPU, 'wrk', load(seconds), childEnv({}));
await once(perf, 'exit');
const requests = Number(/(\d+) requests in/.exec(wrkOut)?.[1]);
// A profile of error responses says nothing about the path: say so before it is read.
const failed = /Non-2xx or 3xx responses:\s+(\d+)/.exec(wrkOut)?.[1];
if (failed !== undefined) process.stderr.write(`[bench:perf] ${failed} of ${requests} responses were not 2xx or 3xx\n`);
await stopAll();
const jitData = join(out, 'perf.jit.data');
let script;
try {
  execFileSync('perf', [...buildIds, 'inject', '--jit', '-i', data, '-o', jitData], { stdio: 'ignore' });
  script = execFileSync('perf', [...buildIds, 'script', '-i', jitData, '-F', 'tid,ip,sym'], {
    maxBuffer: 1 << 30,
  }).toString();
} finally {
  // The dump, V8's log and the objects perf inject made from the dump (one per compiled function) sit beside it.
  const made = new RegExp(`^(?:jit-${server.pid}\\.dump|jitted-${server.pid}-\\d+\\.so|isolate-.*-v8\\.log)$`);
  for (const file of readdirSync(ROOT)) if (made.test(file)) rmSync(join(ROOT, file));
  rmSync(join(out, 'buildid'), { recursive: true, force: true });
}

/** The package (or node: module, or the layer's file) a JS frame's code comes from. */
function packageOf(frame) {
  const where = / (?:file:\/\/)?(\/\S+|node:\S+)/.exec(frame)?.[1];
  if (where === undefined) return 'JS (no source)';
  // node:internal/streams/writable:744:21 -> node:internal/streams
  if (where.startsWith('node:')) return `node:${where.split(':')[1]?.split('/').slice(0, 2).join('/')}`;
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1];
  if (module !== undefined) return module;
  const file = (root) => where.split(root)[1]?.split(':')[0];
  if (where.includes('/examples/support-service/dist/')) return `the service (${file('/support-service/dist/')})`;
  return where.includes('/dist/') ? `the layer (${file('/dist/')})` : where.split(':')[0];
}
const functionOf = (frame) => frame.replace(/^\S*JS:[*~^+]?/, '').slice(0, 140);
const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

const threads = new Map();
const byPackage = new Map();
const bySelf = new Map();
const byInclusive = new Map();
let total = 0;
for (const sample of script.split('\n\n')) {
  const [head, ...stack] = sample.split('\n').filter((line) => line.trim() !== '');
  if (head === undefined) continue;
  total++;
  const main = head.trim().split(/\s+/)[0] === String(server.pid);
  count(threads, main ? 'main thread' : 'other threads (GC helpers, loader hooks, libuv)');
  if (!main) continue;
  const frames = stack.map((line) =>
    line
      .trim()
      .split(/\s+/)
      .slice(1)
      .join(' ')
      .replace(/ \([^)]*\)$/, ''),
  );
  const js = frames.filter((frame) => frame.includes('JS:'));
  const first = js[0];
  count(byPackage, first === undefined ? `(no JS frame) ${frames[0] ?? '?'}`.slice(0, 90) : packageOf(first));
  if (first !== undefined) count(bySelf, functionOf(first));
  for (const name of new Set(js.map(functionOf))) count(byInclusive, name);
}
const perRequest = (samples) => ((samples * 1e6) / HZ / requests).toFixed(2).padStart(8);
function table(title, map, rows) {
  console.log(`\n${title}`);
  for (const [key, samples] of [...map].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
    console.log(`${perRequest(samples)}  ${key}`);
  }
}
console.log(
  `${configId} on ${appId}: ${requests} requests in ${seconds} s, ${perRequest(total).trim()} us of CPU per request`,
);
table('us/request by thread', threads, 2);
table('main thread, by package of the first JS frame (with the C++ and builtins it called)', byPackage, 30);
table('main thread, by first JS frame', bySelf, 40);
table('main thread, inclusive by JS function', byInclusive, 40);
writeFileSync(join(out, 'samples.txt'), script);
console.log(`\nevery sample, its stack symbolised: ${join(out, 'samples.txt')}`);
process.exit(0);
