// The figures behind the profiler choice (docs/profiling.md): @sentry/node-cpu-profiler against node:inspector's
// Profiler on the same CPU-bound work. Overhead: the work's wall time with each profiler running; precision: the
// samples taken per second of work; main-thread cost: start and stop of a profile (for the inspector, with the
// conversion a Sentry chunk would need, which the native profiler does in C++). Run: node bench/workloads/profiler-choice.mjs
import { createRequire } from 'node:module';
import { Session } from 'node:inspector';

const require = createRequire(import.meta.url);
const { CpuProfilerBindings, ProfileFormat } = require('@sentry/node-cpu-profiler');
const ROUNDS = Number(process.env.PROFILER_CHOICE_ROUNDS ?? 7);

function work(iterations) {
  let x = 0;
  for (let i = 0; i < iterations; i++) x += Math.sqrt(i) * Math.sin(i);
  return x;
}
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const session = new Session();
session.connect();
const post = (method, params) =>
  new Promise((resolve, reject) => session.post(method, params, (e, r) => (e ? reject(e) : resolve(r))));

/** What a chunk needs from an inspector profile: frames, stacks and timestamped samples, built in JS. */
function inspectorToChunk(profile) {
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const frames = profile.nodes.map((n) => ({
    function: n.callFrame.functionName,
    abs_path: n.callFrame.url,
    lineno: n.callFrame.lineNumber + 1,
    colno: n.callFrame.columnNumber + 1,
  }));
  const index = new Map(profile.nodes.map((n, i) => [n.id, i]));
  const stacks = new Map();
  let t = profile.startTime;
  const samples = profile.samples.map((id, i) => {
    t += profile.timeDeltas[i];
    if (!stacks.has(id)) {
      const stack = [];
      for (let cur = id; cur !== undefined; cur = parent.get(cur)) stack.push(index.get(cur));
      stacks.set(id, stack);
    }
    return { stack_id: id, timestamp: t / 1e6 };
  });
  return { frames, stacks: [...stacks.values()], samples };
}

const profilers = {
  none: { start: async () => {}, stop: async () => 0 },
  native: {
    start: async () => CpuProfilerBindings.startProfiling('choice'),
    stop: async () => CpuProfilerBindings.stopProfiling('choice', ProfileFormat.CHUNK)?.samples.length ?? 0,
  },
  inspector: {
    start: async () => {
      await post('Profiler.enable');
      // The native profiler samples about every 10 ms; the inspector's default is 1 ms.
      await post('Profiler.setSamplingInterval', { interval: 10_000 });
      await post('Profiler.start');
    },
    stop: async () => {
      const { profile } = await post('Profiler.stop');
      const n = inspectorToChunk(profile).samples.length;
      await post('Profiler.disable');
      return n;
    },
  },
};

const ITER = 30_000_000;
work(ITER); // warm-up
const results = {};
for (const name of Object.keys(profilers)) results[name] = { workMs: [], samplesPerS: [], startMs: [], stopMs: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, p] of Object.entries(profilers)) {
    const r = results[name];
    let t0 = process.hrtime.bigint();
    await p.start();
    r.startMs.push(ms(t0));
    t0 = process.hrtime.bigint();
    work(ITER);
    const workMs = ms(t0);
    r.workMs.push(workMs);
    t0 = process.hrtime.bigint();
    const samples = await p.stop();
    r.stopMs.push(ms(t0));
    r.samplesPerS.push((samples * 1000) / workMs);
  }
}
const base = median(results.none.workMs);
const summary = Object.fromEntries(
  Object.entries(results).map(([name, r]) => [
    name,
    {
      workMs: median(r.workMs),
      overheadPct: ((median(r.workMs) - base) / base) * 100,
      samplesPerS: median(r.samplesPerS),
      startMs: median(r.startMs),
      stopMs: median(r.stopMs),
    },
  ]),
);
console.log(JSON.stringify(summary, null, 1));
