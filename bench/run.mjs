// `npm run bench`: the side-by-side benchmarks of issue 7, written to docs/benchmarks.md.
// Server processes run pinned to BENCH_SERVER_CPU, the load generator and the span receiver to BENCH_LOAD_CPU.
// Knobs for development (the committed figures say which values they used):
//   BENCH_DURATION (s per run, 3), BENCH_RUNS (5), BENCH_WARMUP (s, 3), BENCH_RUN_WARMUP (s before each HTTP
//   run, 1), BENCH_DOWN_SECONDS (60), BENCH_SPANS (spans per per-span run, 30,000),
//   BENCH_SECTIONS (startup,http,span,export,down,profiling,gzip,logs), BENCH_APPS (express,ingest),
//   BENCH_OUT (docs/benchmarks.md), BENCH_SINK_DELAY_MS (the receiver's answer delay in the gzip section, 50).
//   BENCH_REPORT_ONLY=1 rewrites the report from bench/last-results.json (after editing bench/reading.md);
//   BENCH_DOWN_CONTROL=1 runs the outage row with the backends left up; BENCH_REDUCED_NOTE names reduced settings.
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import {
  ROOT,
  LOAD_CPU,
  SERVER_CPU,
  childEnv,
  cpuTimeOf,
  rssOf,
  runPinned,
  sleep,
  spawnPinned,
  stop,
  stopAll,
  waitForLine,
} from './lib/proc.mjs';
import {
  APPS,
  OURS_ARGS,
  SENTRY_CALLS_ARGS,
  oursEnv as oursEnvOf,
  rawAnchor,
  rotate,
  sentryOwnAnchor,
  startReceiver,
} from './lib/setups.mjs';
import { cell, fmt, median, ratios } from './lib/stats.mjs';

// The defaults keep the full run within 20 minutes: more short interleaved runs beat fewer long ones on a shared
// machine, and CPU per request (the targets' figure) needs no long run to settle.
const DURATION = Number(process.env.BENCH_DURATION ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);
// An HTTP server waits while the other configurations run (about a minute). V8's memory reducer collects in
// that time, and optimized code whose object shapes died with the last requests is discarded ("weak objects");
// the next requests run in the lower tiers until TurboFan has compiled it again, on the server's only core. These
// seconds are measured apart, so each run's figure is the server's steady state and the recovery is its own table.
const RUN_WARMUP = Number(process.env.BENCH_RUN_WARMUP ?? 1);
const SPANS = Number(process.env.BENCH_SPANS ?? 30_000);
const DOWN_SECONDS = Number(process.env.BENCH_DOWN_SECONDS ?? 60);
const SECTIONS = new Set(
  (process.env.BENCH_SECTIONS ?? 'startup,http,span,export,down,profiling,gzip,logs').split(','),
);
const SINK_DELAY_MS = Number(process.env.BENCH_SINK_DELAY_MS ?? 50);
const OUT = process.env.BENCH_OUT ?? join(ROOT, 'docs/benchmarks.md');
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const STARTUP_LAUNCHES = 3;
const PROBE_REQUESTS = 300;
const log = (line) => process.stderr.write(`[bench] ${line}\n`);
// Another built checkout (BENCH_BASELINE=../before): its layer as two more HTTP rows, interleaved with this one's,
// so that a change is measured against the code before it within one run; a ratio across runs is the host's noise.
// Its servers run in that checkout, with its own dependencies: the layer refuses a second copy of the SDK.
const BASELINE = process.env.BENCH_BASELINE ? resolve(process.env.BENCH_BASELINE) : undefined;
const BASELINE_REGISTER = BASELINE ? join(BASELINE, 'dist/instrumentation/register.js') : undefined;
if (BASELINE_REGISTER && !existsSync(BASELINE_REGISTER)) {
  process.stderr.write(`[bench] BENCH_BASELINE: ${BASELINE_REGISTER} does not exist (npm run build there first)\n`);
  process.exit(2);
}

// The HTTP rows load the servers with wrk (a Debian/Homebrew package, not an npm one): say so before any
// configuration starts instead of failing in the middle of the run.
if (!process.env.BENCH_REPORT_ONLY && spawnSync('wrk', ['--version']).error) {
  process.stderr.write('[bench] wrk is not installed: apt-get install wrk (or brew install wrk), then run again\n');
  process.exit(2);
}

// ---------------------------------------------------------------- receiver
const sink = await startReceiver();
const { control: receiver } = sink;

/** Waits until the receiver's span count has not moved for `quietMs` (a batch processor's delay), then returns it. */
async function settledSpanCount(quietMs = 6000, maxMs = 20_000) {
  const start = Date.now();
  let last = (await receiver('/stats')).spans;
  let since = Date.now();
  while (Date.now() - start < maxMs) {
    await sleep(500);
    const now = (await receiver('/stats')).spans;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) break;
  }
  return last;
}

// ---------------------------------------------------------------- configurations
// Each HTTP configuration sends to the receiver under its own tag, so spans per request are counted per server.
const oursEnv = (rate, exporters, tag) => oursEnvOf(tag ? sink.at(tag) : sink, rate, exporters);
const zeroCode = (tag) => ({
  args: [
    '--experimental-loader=@opentelemetry/instrumentation/hook.mjs',
    '--import',
    '@opentelemetry/auto-instrumentations-node/register',
  ],
  env: {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.at(tag).sinkUrl}/v1/traces`,
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    // The cloud detectors would call metadata addresses off this machine: loopback only.
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    OTEL_SERVICE_NAME: 'bench',
    OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'fs,dns,net',
  },
});
const ZERO_CODE = zeroCode('zero');
const RAW = rawAnchor(sink);
const rawAt = (tag) => rawAnchor(sink.at(tag));
const SENTRY = { args: ['--import', './bench/anchors/sentry-native.mjs'], env: { SENTRY_DSN: sink.at('sentry').dsn } };
const SENTRY_OWN = sentryOwnAnchor(sink.at('sentryOwn'));
const SENTRY_OWN_LABEL = 'Sentry with its own OTel pipeline (openTelemetryIntegration, NodeTracerProvider, 1 BSP)';
const SENTRY_CALLS_READY = /sentry-calls: [^\n]*@sentry\/node\n[\s\S]*LISTENING (\d+)/;
const CALLS_OFF = ['--import', './bench/apps/calls-off.mjs'];
/** The stand-in announces itself before the service listens: a server that never loaded it fails to start. */
const CALLS_OFF_READY = /calls-off: [^\n]*no-ops\n[\s\S]*LISTENING (\d+)/;

const HTTP_CONFIGS = [
  { id: 'bare', label: 'bare Node', args: [], env: {} },
  { id: 'raw', label: 'raw OTel SDK, same instrumentations, AlwaysOn, 1 BSP', ...rawAt('raw') },
  { id: 'ours10', label: 'ours, rate 1.0', args: OURS_ARGS, env: oursEnv(1.0, undefined, 'ours10') },
  { id: 'ours01', label: 'ours, rate 0.1', args: OURS_ARGS, env: oursEnv(0.1, undefined, 'ours01') },
  ...(BASELINE_REGISTER
    ? [1.0, 0.1].map((rate) => ({
        id: rate === 1 ? 'base10' : 'base01',
        label: `baseline (${process.env.BENCH_BASELINE}), rate ${rate.toFixed(1)}`,
        args: OURS_ARGS,
        env: oursEnv(rate, undefined, rate === 1 ? 'base10' : 'base01'),
        cwd: BASELINE,
      }))
    : []),
  // The server spans made on Node's HTTP diagnostics channels instead of instrumentation-http's server half.
  {
    id: 'ours10dc',
    label: 'ours, rate 1.0, TELEMETRY_HTTP_SERVER_SPANS=diagnostics-channel',
    apps: ['express'],
    args: OURS_ARGS,
    env: { ...oursEnv(1.0, undefined, 'ours10dc'), TELEMETRY_HTTP_SERVER_SPANS: 'diagnostics-channel' },
  },
  {
    id: 'raw01',
    label: 'raw OTel SDK, same instrumentations, trace-id ratio 0.1, 1 BSP',
    ...rawAt('raw01'),
    env: { ...rawAt('raw01').env, BENCH_RAW_RATIO: '0.1' },
  },
  { id: 'sentry', label: 'Sentry v11 native, tracesSampleRate 1.0', ...SENTRY },
  { id: 'zero', label: 'OTel zero-code (auto-instrumentations-node/register)', ...ZERO_CODE },
  { id: 'sentryOwn', label: SENTRY_OWN_LABEL, apps: ['express'], ...SENTRY_OWN },
  {
    id: 'sentryOwn',
    label: `${SENTRY_OWN_LABEL}, the service's calls through @sentry/node`,
    apps: ['ingest'],
    args: [...SENTRY_CALLS_ARGS, ...SENTRY_OWN.args],
    env: SENTRY_OWN.env,
    ready: SENTRY_CALLS_READY,
  },
  // What the support service's own monitoring calls cost each side: the same two rows with the service's user,
  // tag, context and breadcrumb calls made no-ops (bench/apps/calls-off.mjs); the layer itself is unchanged.
  {
    id: 'rawNoCalls',
    label: "raw OTel SDK, AlwaysOn, the service's scope and breadcrumb calls off",
    apps: ['ingest'],
    args: [...CALLS_OFF, ...RAW.args],
    env: rawAt('rawNoCalls').env,
    ready: CALLS_OFF_READY,
  },
  {
    id: 'oursNoCalls',
    label: "ours, rate 1.0, the service's scope and breadcrumb calls off",
    apps: ['ingest'],
    args: [...CALLS_OFF, ...OURS_ARGS],
    env: oursEnv(1.0, undefined, 'oursNoCalls'),
    ready: CALLS_OFF_READY,
  },
];
const httpConfigsFor = (appId) => HTTP_CONFIGS.filter((c) => c.apps === undefined || c.apps.includes(appId));

const results = { meta: {}, startup: {}, http: {}, span: {}, export: {}, down: {}, profiling: {}, gzip: {}, logs: {} };

// ---------------------------------------------------------------- load generation
function parseWrk(out) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const p99m = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const unit = { us: 0.001, ms: 1, s: 1000 };
  const p99 = p99m ? Number(p99m[1]) * unit[p99m[2]] : Number.NaN;
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors:(.*)/.exec(out)?.[1]?.trim();
  return { rps, requests, p99, bad, errors };
}

async function wrk(url, seconds, lua) {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', ...(lua ? ['-s', lua] : []), url];
  return parseWrk(await runPinned(LOAD_CPU, 'wrk', args, childEnv({}), (seconds + 60) * 1000));
}

async function startServer(app, config, dir) {
  const child = spawnPinned(
    SERVER_CPU,
    process.execPath,
    [...config.args, app.script],
    childEnv({ ...config.env, ...app.env(dir, config.id) }),
    config.cwd,
  );
  const [, port] = await waitForLine(child, config.ready ?? /LISTENING (\d+)/);
  return { child, url: `http://127.0.0.1:${port}${app.path}` };
}

/**
 * Spans per request of every server at once: a few hundred requests to each, one at a time (no queue can
 * overflow), then one settled count, read per server from its tag. The stock processor waits 5 s before a
 * partial batch, so one wait for all replaces one before and one after each server.
 */
async function spansPerRequest(app, servers) {
  await settledSpanCount(); // the warm-ups' last batches
  const before = (await receiver('/stats')).byTag;
  const sent = {};
  for (const [id, server] of Object.entries(servers)) {
    sent[id] = (
      await autocannon({ url: server.url, connections: 1, amount: PROBE_REQUESTS, ...app.request })
    ).requests.sent;
  }
  await settledSpanCount();
  const after = (await receiver('/stats')).byTag;
  return Object.fromEntries(Object.keys(servers).map((id) => [id, ((after[id] ?? 0) - (before[id] ?? 0)) / sent[id]]));
}

// ---------------------------------------------------------------- sections
async function startupSection() {
  const configs = [
    { id: 'bare', label: 'bare Node', args: [], env: {} },
    { id: 'ours', label: 'ours (Sentry + OTLP exporters)', args: OURS_ARGS, env: oursEnv(1.0, 'sentry,otlp') },
    { id: 'zero', label: 'OTel zero-code', ...ZERO_CODE },
    { id: 'sentry', label: 'Sentry v11 default init (tracesSampleRate 1.0)', ...SENTRY },
  ];
  const launch = async (config) => {
    const t0 = process.hrtime.bigint();
    const child = spawnPinned(
      SERVER_CPU,
      process.execPath,
      [...config.args, 'bench/apps/first-line.mjs'],
      childEnv(config.env),
    );
    const [, rss] = await waitForLine(child, /FIRST (\d+)/);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    await stop(child);
    return { ms, rss: Number(rss) };
  };
  for (const config of configs) {
    await launch(config); // warm-up: file cache
    results.startup[config.id] = { label: config.label, ms: [], rss: [] };
  }
  for (let run = 0; run < RUNS; run++) {
    for (const config of rotate(configs, run)) {
      const samples = [];
      for (let i = 0; i < STARTUP_LAUNCHES; i++) samples.push(await launch(config));
      results.startup[config.id].ms[run] = median(samples.map((s) => s.ms));
      results.startup[config.id].rss[run] = median(samples.map((s) => s.rss));
    }
    log(`startup run ${run + 1}/${RUNS}`);
  }
}

async function httpSection(appId) {
  const app = APPS[appId];
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const servers = {};
  const out = (results.http[appId] = { label: app.label, configs: {} });
  const configs = httpConfigsFor(appId);
  try {
    for (const config of configs) {
      servers[config.id] = await startServer(app, config, dir);
      await wrk(servers[config.id].url, WARMUP, app.lua);
    }
    // Counted after the warm-up: some setups' spans per request change once the service holds data.
    const spans = await spansPerRequest(app, servers);
    for (const config of configs) {
      out.configs[config.id] = {
        label: config.label,
        spans: spans[config.id],
        rps: [],
        cpu: [],
        p99: [],
        afterIdleRps: [],
        bad: 0,
      };
      log(`${appId} ${config.id}: warmed up, ${fmt(spans[config.id], 2)} spans/request`);
    }
    for (let run = 0; run < RUNS; run++) {
      for (const config of rotate(configs, run)) {
        const entry = out.configs[config.id];
        if (RUN_WARMUP > 0) entry.afterIdleRps[run] = (await wrk(servers[config.id].url, RUN_WARMUP, app.lua)).rps;
        const pid = servers[config.id].child.pid;
        const cpuBefore = cpuTimeOf(pid);
        const r = await wrk(servers[config.id].url, DURATION, app.lua);
        entry.cpu[run] = ((cpuTimeOf(pid) - cpuBefore) * 1000) / r.requests;
        entry.rps[run] = r.rps;
        entry.p99[run] = r.p99;
        entry.bad += r.bad;
        if (r.errors) entry.errors = r.errors;
      }
      log(
        `${appId} run ${run + 1}/${RUNS}: ${configs.map((c) => `${c.id}=${fmt(out.configs[c.id].rps[run])}`).join(' ')}`,
      );
    }
  } finally {
    for (const s of Object.values(servers)) await stop(s.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function spanSection() {
  const configs = [
    { id: 'noop', label: 'no-op API (no SDK)', args: [], env: {} },
    { id: 'raw', label: 'raw OTel SDK (AlwaysOn, 1 BSP, OTLP)', ...RAW },
    { id: 'ours', label: 'ours (sampler, propagator, scope bridge, redaction)', args: OURS_ARGS, env: oursEnv(1.0) },
  ];
  for (const variant of ['root', 'child']) {
    const out = (results.span[variant] = {});
    for (const c of configs) out[c.id] = { label: c.label, ns: [], cpu: [] };
    for (let run = 0; run < RUNS; run++) {
      for (const c of rotate(configs, run)) {
        const text = await runPinned(
          SERVER_CPU,
          process.execPath,
          [...c.args, 'bench/workloads/per-span.mjs'],
          childEnv({ ...c.env, BENCH_SPAN_PARENT: variant, BENCH_SPANS: String(SPANS) }),
        );
        const measured = JSON.parse(/\{.*\}/.exec(text)[0]);
        out[c.id].ns[run] = measured.hotPath;
        out[c.id].cpu[run] = measured.cpu;
      }
      log(`per-span ${variant} run ${run + 1}/${RUNS}`);
    }
  }
}

async function exportSection() {
  const configs = [
    {
      id: 'raw',
      label: 'stock BatchSpanProcessor, default settings (queue 2048, batch 512, 5 s)',
      ...RAW,
      mode: 'raw',
    },
    {
      id: 'ours',
      label: 'ours (ExportPipeline, queue 8192, batch 1024, 1 s)',
      args: OURS_ARGS,
      env: oursEnv(1.0),
      mode: 'ours',
    },
  ];
  for (const c of configs) results.export[c.id] = { label: c.label, created: [], received: [], dropped: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const c of rotate(configs, run)) {
      const before = await settledSpanCount(1000, 10_000);
      const text = await runPinned(
        SERVER_CPU,
        process.execPath,
        [...c.args, 'bench/workloads/span-rate.mjs'],
        childEnv({ ...c.env, BENCH_MODE: c.mode, BENCH_DURATION: String(DURATION), BENCH_SPAN_RATE: '5000' }),
      );
      const { created } = JSON.parse(/\{.*\}/.exec(text)[0]);
      const received = (await settledSpanCount(2000, 10_000)) - before;
      const e = results.export[c.id];
      e.created[run] = created;
      e.received[run] = received;
      e.dropped[run] = created - received;
    }
    log(
      `export run ${run + 1}/${RUNS}: ${configs.map((c) => `${c.id} dropped ${results.export[c.id].dropped[run]}`).join(', ')}`,
    );
  }
}

async function downSection() {
  const app = APPS.express;
  const configs = [
    { id: 'ours', label: 'ours, rate 1.0, Sentry + OTLP exporters', args: OURS_ARGS, env: oursEnv(1.0, 'sentry,otlp') },
    { id: 'raw', label: 'raw OTel SDK (1 BSP)', ...RAW },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  try {
    for (const c of configs) {
      const server = await startServer(app, c, dir);
      await wrk(server.url, WARMUP, app.lua);
      const up = await wrk(server.url, DURATION, app.lua);
      const rssBefore = rssOf(server.child.pid);
      // BENCH_DOWN_CONTROL=1: the same phases with the backends left up, to tell heap growth under load apart.
      const control = Boolean(process.env.BENCH_DOWN_CONTROL);
      if (!control) await receiver('/down');
      let rssMax = rssBefore;
      const sampler = setInterval(() => {
        try {
          rssMax = Math.max(rssMax, rssOf(server.child.pid));
        } catch {}
      }, 1000);
      const down = await wrk(server.url, DOWN_SECONDS, app.lua);
      clearInterval(sampler);
      const rssEnd = rssOf(server.child.pid);
      if (!control) await receiver('/up');
      const after = await wrk(server.url, DURATION, app.lua);
      results.down[c.id] = { label: c.label, up, down, after, rssBefore, rssMax, rssEnd };
      log(
        `down ${c.id}: p99 ${fmt(up.p99, 2)} -> ${fmt(down.p99, 2)} ms, RSS +${fmt((rssMax - rssBefore) / 2 ** 20, 1)} MB`,
      );
      await stop(server.child);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * SENTRY_PROFILES_SAMPLE_RATE 1.0 against 0 (traces at 1.0 both): the server's CPU per request and its RSS after
 * each run; the profiler's chunks go to the receiver's fake Sentry at the default 60 s interval.
 */
async function profilingSection(appId) {
  const app = APPS[appId];
  const configs = [
    {
      id: 'off',
      label: 'ours, rate 1.0, profiling 0',
      args: OURS_ARGS,
      env: { ...oursEnv(1.0), SENTRY_PROFILES_SAMPLE_RATE: '0' },
    },
    {
      id: 'on',
      label: 'ours, rate 1.0, profiling 1.0',
      args: OURS_ARGS,
      env: { ...oursEnv(1.0), SENTRY_PROFILES_SAMPLE_RATE: '1' },
    },
  ];
  // Sentry's own profiling pins @sentry/node 11.1.0: its rows run only where its folder was installed.
  if (existsSync(join(ROOT, 'bench/sentry-profiling/node_modules/@sentry/profiling-node'))) {
    const anchor = { args: ['--import', './bench/sentry-profiling/anchor.mjs'] };
    configs.push(
      {
        id: 'sentryOff',
        label: 'Sentry 11.1 native, tracesSampleRate 1.0, no profiling',
        ...anchor,
        env: { SENTRY_DSN: sink.dsn },
      },
      {
        id: 'sentryOn',
        label: "Sentry 11.1 native + @sentry/profiling-node, profileSessionSampleRate 1.0, lifecycle 'trace'",
        ...anchor,
        env: { SENTRY_DSN: sink.dsn, BENCH_SENTRY_PROFILING: '1' },
      },
    );
  } else if (appId === 'express') {
    log(
      'profiling: bench/sentry-profiling is not installed (cd bench/sentry-profiling && npm ci): no Sentry native rows',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const servers = {};
  const out = (results.profiling[appId] = { label: app.label, configs: {} });
  try {
    const chunksBefore = (await receiver('/stats')).profileChunks ?? 0;
    for (const config of configs) {
      servers[config.id] = await startServer(app, config, dir);
      await wrk(servers[config.id].url, WARMUP, app.lua);
      out.configs[config.id] = { label: config.label, rps: [], cpu: [], p99: [], rss: [] };
    }
    for (let run = 0; run < RUNS; run++) {
      for (const config of rotate(configs, run)) {
        const entry = out.configs[config.id];
        if (RUN_WARMUP > 0) await wrk(servers[config.id].url, RUN_WARMUP, app.lua);
        const pid = servers[config.id].child.pid;
        const cpuBefore = cpuTimeOf(pid);
        const r = await wrk(servers[config.id].url, DURATION, app.lua);
        entry.cpu[run] = ((cpuTimeOf(pid) - cpuBefore) * 1000) / r.requests;
        entry.rps[run] = r.rps;
        entry.p99[run] = r.p99;
        entry.rss[run] = rssOf(pid);
      }
      log(
        `profiling ${appId} run ${run + 1}/${RUNS}: ${configs.map((c) => `${c.id} ${fmt(out.configs[c.id].cpu[run])} us/req`).join(', ')}`,
      );
    }
    // SIGTERM flushes: the profiled server's last chunk arrives before the count.
    for (const s of Object.values(servers)) {
      s.child.kill('SIGTERM');
      await Promise.race([once(s.child, 'exit'), sleep(10_000)]);
    }
    out.chunks = ((await receiver('/stats')).profileChunks ?? 0) - chunksBefore;
  } finally {
    for (const s of Object.values(servers)) await stop(s.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Gzip at the service's saturation rate: the support ingest path under wrk at full load (the server's core
 * saturated), its spans compressed on the way out, the receiver answering each export after SINK_DELAY_MS (a
 * remote backend's round trip). The layer's own counts, read after the run (bench/apps/stats-on-signal.mjs), say
 * how many spans each exporter dropped: with gzip on, a healthy backend must lose none.
 */
async function gzipSection() {
  const app = APPS.ingest;
  const stats = ['--import', './bench/apps/stats-on-signal.mjs'];
  const configs = [
    {
      id: 'otlpNone',
      label: 'ours, rate 1.0, OTLP http/protobuf, no compression',
      exporters: ['otlp'],
      env: { ...oursEnv(1.0, 'otlp'), OTEL_EXPORTER_OTLP_COMPRESSION: 'none' },
    },
    {
      id: 'otlpGzip',
      label: 'ours, rate 1.0, OTLP http/protobuf, gzip',
      exporters: ['otlp'],
      env: { ...oursEnv(1.0, 'otlp'), OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' },
    },
    {
      id: 'bothGzip',
      label: "ours, rate 1.0, Sentry's OTLP endpoint (always gzip) + OTLP gzip",
      exporters: ['sentry', 'otlp'],
      env: { ...oursEnv(1.0, 'sentry,otlp'), OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' },
    },
  ];
  for (const c of configs)
    results.gzip[c.id] = {
      label: c.label,
      rps: [],
      exporters: Object.fromEntries(c.exporters.map((name) => [name, { received: [], dropped: [] }])),
      warnings: [],
    };
  results.gzip.sinkDelayMs = SINK_DELAY_MS;
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  await receiver(`/delay?ms=${SINK_DELAY_MS}`);
  try {
    for (let run = 0; run < RUNS; run++) {
      for (const c of rotate(configs, run)) {
        const server = await startServer(app, { ...c, id: `${c.id}-${run}`, args: [...OURS_ARGS, ...stats] }, dir);
        let stderr = '';
        server.child.stderr.on('data', (chunk) => {
          stderr += chunk;
        });
        await wrk(server.url, WARMUP, app.lua);
        const r = await wrk(server.url, DURATION, app.lua);
        const line = waitForLine(server.child, /STATS (\{.*\})\n/, 30_000);
        server.child.kill('SIGUSR2');
        const counted = JSON.parse((await line)[1]);
        await stop(server.child);
        const e = results.gzip[c.id];
        e.rps[run] = r.rps;
        // Over the whole process's life (warm-up included): every span it made is in these counts.
        for (const name of c.exporters) {
          e.exporters[name].received[run] = counted.exporters[name].received;
          e.exporters[name].dropped[run] = counted.exporters[name].dropped + counted.exporters[name].pending;
        }
        const warning = /exporter "\w+" failed \((.*?)\); \d+ span\(s\) dropped/.exec(stderr)?.[1];
        if (warning) e.warnings.push(warning);
      }
      log(
        `gzip run ${run + 1}/${RUNS}: ${configs.map((c) => `${c.id} ${c.exporters.map((n) => `${n} dropped ${results.gzip[c.id].exporters[n].dropped[run]}`).join(', ')}`).join('; ')}`,
      );
    }
  } finally {
    await receiver('/delay?ms=0');
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What exporting application logs costs a request: the support ingest path (a business-event console line per
 * request, bench/workloads/ingest-logs.lua) with TELEMETRY_LOGS at info, the default with a backend, against off,
 * the records going to the OTLP receiver. CPU per request is the server's CPU time over the requests served. The layer's own log counts, read
 * after the runs (bench/apps/stats-on-signal.mjs), say how many records the info row made and whether the rate
 * limit or a queue dropped any (a row that dropped records would have measured less work).
 */
async function logsSection() {
  // A new user per request: each request opens a ticket and logs its business event (the same user's messages
  // join one ticket and log nothing).
  const app = { ...APPS.ingest, lua: 'bench/workloads/ingest-logs.lua' };
  const stats = ['--import', './bench/apps/stats-on-signal.mjs'];
  const configs = [
    {
      id: 'off',
      label: 'ours, rate 1.0, TELEMETRY_LOGS=off',
      args: [...OURS_ARGS, ...stats],
      env: { ...oursEnv(1.0), TELEMETRY_LOGS: 'off' },
    },
    {
      id: 'info',
      label: 'ours, rate 1.0, TELEMETRY_LOGS=info (records to the OTLP receiver)',
      args: [...OURS_ARGS, ...stats],
      env: { ...oursEnv(1.0), TELEMETRY_LOGS: 'info' },
    },
  ];
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const servers = {};
  const requests = {};
  const out = (results.logs = { label: app.label, configs: {} });
  try {
    for (const config of configs) {
      servers[config.id] = await startServer(app, config, dir);
      requests[config.id] = (await wrk(servers[config.id].url, WARMUP, app.lua)).requests;
      out.configs[config.id] = { label: config.label, rps: [], cpu: [], p99: [] };
    }
    for (let run = 0; run < RUNS; run++) {
      for (const config of rotate(configs, run)) {
        const entry = out.configs[config.id];
        if (RUN_WARMUP > 0) requests[config.id] += (await wrk(servers[config.id].url, RUN_WARMUP, app.lua)).requests;
        const pid = servers[config.id].child.pid;
        const cpuBefore = cpuTimeOf(pid);
        const r = await wrk(servers[config.id].url, DURATION, app.lua);
        entry.cpu[run] = ((cpuTimeOf(pid) - cpuBefore) * 1000) / r.requests;
        entry.rps[run] = r.rps;
        entry.p99[run] = r.p99;
        requests[config.id] += r.requests;
      }
      log(
        `logs run ${run + 1}/${RUNS}: ${configs.map((c) => `${c.id} ${fmt(out.configs[c.id].cpu[run])} us/req`).join(', ')}`,
      );
    }
    for (const config of configs) {
      const line = waitForLine(servers[config.id].child, /STATS (\{.*\})\n/, 30_000);
      servers[config.id].child.kill('SIGUSR2');
      const counted = JSON.parse((await line)[1]).exporters['otlp-logs'];
      // Over the process's life, warm-ups included, like the request count it is divided by.
      if (counted) out.configs[config.id].records = { ...counted, requests: requests[config.id] };
    }
  } finally {
    for (const s of Object.values(servers)) await stop(s.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report
function ratioCell(a, b, digits = 2) {
  return cell(ratios(a, b), digits);
}

function report() {
  const m = results.meta;
  // The settings of the run being reported (a report-only rewrite must not show the current environment's).
  const run = m.settings;
  const lines = [];
  const push = (...l) => lines.push(...l);
  push(
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench` (bench/run.mjs); edit the reading in bench/reading.md, not here. -->',
    '',
  );
  push(
    `- Date: ${m.date}`,
    `- Machine: ${m.cpu}, ${m.cores} cores, ${fmt(m.memGiB, 0)} GiB, shared and noisy (absolute figures are noise; read the ratios)`,
    `- Node: ${m.node}`,
  );
  push(`- Command: \`${m.command}\``);
  if (m.sectionSeconds) {
    const total = Object.values(m.sectionSeconds).reduce((a, b) => a + b, 0);
    const parts = Object.entries(m.sectionSeconds).map(([name, sec]) => `${name} ${sec} s`);
    push(`- Duration of the sections: ${total} s (${fmt(total / 60, 1)} minutes): ${parts.join(', ')}`);
  }
  push(
    `- Method: server pinned to CPU ${run.SERVER_CPU}, load generator (wrk, ${run.CONNECTIONS} connections, 1 thread) and span receiver pinned to CPU ${run.LOAD_CPU}; ${run.WARMUP} s warm-up per configuration, then ${run.RUNS} interleaved runs of ${run.DURATION} s per configuration (the order rotates each run)${run.RUN_WARMUP ? `; in the HTTP sections each run is preceded by ${run.RUN_WARMUP} s of the same load, measured apart as "after idle" (the server has waited while the other configurations ran)` : ''}. Each figure is the median (min-max) over the runs; each ratio is computed run by run, then summarised the same way.`,
  );
  if (m.reduced) push(`- **Reduced settings**: ${m.reduced}`);
  if (m.spansNote) push(`- Spans per request: ${m.spansNote}.`);
  push(
    '- Exporters point at a local receiver (bench/lib/receiver.mjs, OTLP/HTTP + fake Sentry) that counts spans. In the HTTP rows ours exports over one OTLP http/protobuf exporter (Sentry DSN set for errors), like the raw SDK anchor.',
    '',
  );

  if (Object.keys(results.startup).length) {
    const s = results.startup;
    push(
      '## 1. Start-up',
      '',
      `Time from spawn to the first line of user code, and RSS there (median of ${STARTUP_LAUNCHES} launches per run).`,
      '',
    );
    push(
      '| configuration | time to first line (ms) | RSS (MB) | time vs Sentry default init |',
      '| --- | --- | --- | --- |',
    );
    for (const [id, e] of Object.entries(s)) {
      push(
        `| ${e.label} | ${cell(e.ms)} | ${cell(e.rss.map((x) => x / 2 ** 20))} | ${s.sentry ? ratioCell(e.ms, s.sentry.ms) : ''} |`,
      );
      void id;
    }
    push('');
  }

  for (const [appId, h] of Object.entries(results.http)) {
    const c = h.configs;
    push(`## 2. HTTP overhead: ${h.label}`, '');
    // CPU per request: the server's own CPU time over the requests served, what a request costs each setup. With
    // the server's core saturated its ratios (the raw SDK's CPU over this row's) match throughput's; where they
    // do not, the server was not the bottleneck.
    const withCpu = c.raw?.cpu?.length > 0;
    const cpuHeads = withCpu ? ' CPU/request (us) | CPU vs raw SDK |' : '';
    push(
      `| configuration | spans/request | requests/s | p99 (ms) | throughput vs bare | vs raw SDK |${cpuHeads} non-2xx (socket errors) |`,
      `|${' --- |'.repeat(withCpu ? 9 : 7)}`,
    );
    for (const [id, e] of Object.entries(c)) {
      const cpuCells = withCpu ? ` ${cell(e.cpu)} | ${id === 'bare' ? '' : ratioCell(c.raw.cpu, e.cpu)} |` : '';
      push(
        `| ${e.label} | ${fmt(e.spans, 2)} | ${cell(e.rps)} | ${cell(e.p99, 2)} | ${ratioCell(e.rps, c.bare.rps)} | ${id === 'bare' ? '' : ratioCell(e.rps, c.raw.rps)} |${cpuCells} ${e.bad}${e.errors ? ` (${e.errors})` : ''} |`,
      );
    }
    if (c.ours10 && c.sentry && c.zero) {
      push(
        '',
        `Ours at 1.0 vs Sentry native: ${ratioCell(c.ours10.rps, c.sentry.rps)}; vs OTel zero-code: ${ratioCell(c.ours10.rps, c.zero.rps)}.`,
      );
    }
    if (c.ours01 && c.raw01)
      push('', `Ours at 0.1 vs the raw SDK at ratio 0.1: ${ratioCell(c.ours01.rps, c.raw01.rps)}.`);
    if (c.base10 && c.base01)
      push(
        '',
        `CPU per request, ours over the baseline (below 1: this checkout is cheaper): rate 1.0 ${ratioCell(c.ours10.cpu, c.base10.cpu)}; rate 0.1 ${ratioCell(c.ours01.cpu, c.base01.cpu)}.`,
      );
    if (withCpu && c.ours10) {
      // CPU per request, the other configuration's over ours: above 1 means ours is cheaper.
      const vs = (other, label) => (c[other] ? `${label} ${ratioCell(c[other].cpu, c.ours10.cpu)}` : undefined);
      const parts = [
        vs('sentryOwn', 'Sentry with its own OTel pipeline'),
        vs('zero', 'OTel zero-code'),
        vs('sentry', 'Sentry native'),
      ].filter(Boolean);
      if (parts.length)
        push(
          '',
          `CPU per request, the other setup's over ours at 1.0 (above 1: ours is cheaper): ${parts.join('; ')}.`,
        );
      if (c.ours01 && c.raw01)
        push(
          '',
          `CPU per request at 0.1, the raw SDK at ratio 0.1 over ours: ${ratioCell(c.raw01.cpu, c.ours01.cpu)}.`,
        );
      if (c.bare && c.raw) {
        const overhead = (entry) => entry.cpu.map((x, i) => (x - c.bare.cpu[i]) / (c.raw.cpu[i] - c.bare.cpu[i]));
        push(
          '',
          `Overhead above bare Node in CPU per request, ours at 1.0 over the raw SDK's (the stretch target is at most 0.5): ${cell(overhead(c.ours10), 2)}${c.ours10dc ? `; with the diagnostics-channel server spans: ${cell(overhead(c.ours10dc), 2)}` : ''}.`,
        );
      }
    }
    if (c.oursNoCalls && c.rawNoCalls) {
      push(
        '',
        `With the service's scope and breadcrumb calls off in both, ours at 1.0 vs the raw SDK: ${ratioCell(c.oursNoCalls.rps, c.rawNoCalls.rps)}. What turning them off gains, in throughput over the same configuration with them: ours ${ratioCell(c.oursNoCalls.rps, c.ours10.rps)}, the raw SDK ${ratioCell(c.rawNoCalls.rps, c.raw.rps)}.`,
      );
      if (withCpu) {
        push(
          '',
          `The same in CPU per request: calls off in both, the raw SDK's CPU over ours ${ratioCell(c.rawNoCalls.cpu, c.oursNoCalls.cpu)}; what the calls add, run by run: ours ${cell(c.ours10.cpu.map((x, i) => x - c.oursNoCalls.cpu[i]))} us, the raw SDK ${cell(c.raw.cpu.map((x, i) => x - c.rawNoCalls.cpu[i]))} us.`,
        );
      }
    }
    if (c.raw?.afterIdleRps?.length) {
      push(
        '',
        `After idle: the first ${run.RUN_WARMUP} s of load after the server waited about ${fmt((Object.keys(c).length - 1) * (run.RUN_WARMUP + run.DURATION), 0)} s while the other configurations ran (not part of the figures above).`,
        '',
      );
      push(
        '| configuration | requests/s after idle | vs its own steady state | vs raw SDK after idle |',
        '| --- | --- | --- | --- |',
      );
      for (const [id, e] of Object.entries(c)) {
        push(
          `| ${e.label} | ${cell(e.afterIdleRps)} | ${ratioCell(e.afterIdleRps, e.rps)} | ${id === 'bare' ? '' : ratioCell(e.afterIdleRps, c.raw.afterIdleRps)} |`,
        );
      }
    }
    void appId;
    push('');
  }

  if (Object.keys(results.span).length) {
    push(
      '## 3. Per-span cost',
      '',
      `\`startActiveSpan\` + 3 attributes + \`end\`: ${fmt(run.SPANS ?? 100_000)} spans in chunks of 1,000 every 50 ms (20,000 spans/s, a pace chosen so that both pipelines can export every span instead of dropping different shares), after 20,000 spans of warm-up. Hot path: time inside the span calls (sampler, processors, the span). CPU: the process CPU time per span over the run, export side (batching, redaction, serialisation) and GC included. Root spans: each one takes a sampling decision; child spans: inside one active parent.`,
      '',
    );
    push(
      '| spans | configuration | hot path ns/span | vs raw SDK | CPU ns/span | vs raw SDK |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const [variant, cfgs] of Object.entries(results.span)) {
      for (const [id, e] of Object.entries(cfgs))
        push(
          `| ${variant} | ${e.label} | ${cell(e.ns)} | ${id === 'noop' ? '' : ratioCell(e.ns, cfgs.raw.ns)} | ${cell(e.cpu)} | ${id === 'noop' ? '' : ratioCell(e.cpu, cfgs.raw.cpu)} |`,
        );
    }
    push('');
  }

  if (Object.keys(results.export).length) {
    push(
      '## 4. Export under load',
      '',
      `Root spans at a sustained 5,000 spans/s for ${run.DURATION} s, then a flush; dropped = created - received by the OTLP receiver.`,
      '',
    );
    push('| pipeline | created | received | dropped | dropped % |', '| --- | --- | --- | --- | --- |');
    for (const e of Object.values(results.export)) {
      push(
        `| ${e.label} | ${cell(e.created)} | ${cell(e.received)} | ${cell(e.dropped)} | ${cell(
          e.dropped.map((d, i) => (100 * d) / e.created[i]),
          1,
        )} |`,
      );
    }
    push('');
  }

  if (Object.keys(results.down).length) {
    push(
      '## 5. Backends down under load',
      '',
      `Minimal express route under wrk: ${run.DURATION} s with backends up, then every backend (OTLP receiver and fake Sentry) refuses connections for ${run.DOWN_SECONDS} s, then up again for ${run.DURATION} s. One run.`,
      '',
    );
    push(
      '| configuration | req/s up -> down -> up | p99 up -> down -> up (ms) | RSS before down (MB) | RSS growth, max during down (MB) | RSS growth at end of down (MB) |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const e of Object.values(results.down)) {
      const mb = (x) => fmt(x / 2 ** 20, 1);
      push(
        `| ${e.label} | ${fmt(e.up.rps)} -> ${fmt(e.down.rps)} -> ${fmt(e.after.rps)} | ${fmt(e.up.p99, 2)} -> ${fmt(e.down.p99, 2)} -> ${fmt(e.after.p99, 2)} | ${mb(e.rssBefore)} | ${mb(e.rssMax - e.rssBefore)} | ${mb(e.rssEnd - e.rssBefore)} |`,
      );
    }
    push('');
  }
  if (Object.keys(results.profiling).length) {
    push(
      '## 6. Profiling (SENTRY_PROFILES_SAMPLE_RATE)',
      '',
      "Ours at traces rate 1.0 with profiling 0 and 1.0 (@sentry/node-cpu-profiler, trace lifecycle, 60 s chunks to the fake Sentry), and where bench/sentry-profiling is installed Sentry 11.1 native without and with @sentry/profiling-node. CPU/request: the server's CPU time over the requests served; each profiled row is compared with its own unprofiled one. RSS after each run. Chunks: the profile chunks the fake Sentry received from all profiled rows of the app.",
      '',
    );
    push(
      '| app | configuration | requests/s | p99 (ms) | CPU/request (us) | CPU vs profiling 0 | RSS (MB) | profile chunks received |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const p of Object.values(results.profiling)) {
      for (const [id, e] of Object.entries(p.configs)) {
        // Each profiled row against its own unprofiled one: ours against ours, Sentry's against Sentry's.
        const base = id === 'on' ? p.configs.off : id === 'sentryOn' ? p.configs.sentryOff : undefined;
        push(
          `| ${p.label} | ${e.label} | ${cell(e.rps)} | ${cell(e.p99, 2)} | ${cell(e.cpu)} | ${base ? ratioCell(e.cpu, base.cpu) : ''} | ${cell(e.rss.map((x) => x / 2 ** 20))} | ${id === 'off' || id === 'sentryOff' ? '' : p.chunks} |`,
        );
      }
    }
    push('');
  }
  const gzip = Object.entries(results.gzip ?? {}).filter(([id]) => id !== 'sinkDelayMs');
  if (gzip.length) {
    push(
      '## 7. Gzip at saturation',
      '',
      `The support ingest path under wrk (${run.CONNECTIONS} connections: the server's core saturated) for ${run.WARMUP} s of warm-up and ${run.DURATION} s measured, one process per run; the receiver answers every export after ${results.gzip.sinkDelayMs} ms (a remote backend's round trip). Spans received and dropped are the layer's own counts over the process's life (dropped includes anything still pending after a 15 s flush); a healthy backend must lose none, gzip or not.`,
      '',
    );
    push(
      '| configuration | requests/s | exporter | spans received | dropped | dropped % |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const [, e] of gzip) {
      for (const [name, x] of Object.entries(e.exporters)) {
        push(
          `| ${e.label} | ${cell(e.rps)} | ${name} | ${cell(x.received)} | ${cell(x.dropped)} | ${cell(
            x.dropped.map((d, i) => (100 * d) / x.received[i]),
            2,
          )} |`,
        );
      }
    }
    const causes = [...new Set(gzip.flatMap(([, e]) => e.warnings))];
    push(
      '',
      causes.length
        ? `Warnings during these runs named: ${causes.map((c) => `\`${c}\``).join(', ')}.`
        : 'No exporter warned during these runs.',
      '',
    );
  }
  const logs = results.logs?.configs ?? {};
  if (logs.off && logs.info) {
    push(
      '## 8. Logs (TELEMETRY_LOGS info against off)',
      '',
      `${results.logs.label} with a new user per request (bench/workloads/ingest-logs.lua: each request opens a ticket and logs its business event), ours at traces rate 1.0, spans and log records to the OTLP receiver over http/protobuf. CPU/request: the server's CPU time over the requests served. Records: the layer's own counts for its otlp-logs pipeline over the process's life (warm-ups included), per request served.`,
      '',
    );
    push(
      '| configuration | requests/s | p99 (ms) | CPU/request (us) | CPU vs logs off | log records/request | records dropped |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const [id, e] of Object.entries(logs)) {
      const records = e.records
        ? `${fmt(e.records.received / e.records.requests, 2)} | ${e.records.dropped + e.records.pending}`
        : ' | ';
      push(
        `| ${e.label} | ${cell(e.rps)} | ${cell(e.p99, 2)} | ${cell(e.cpu)} | ${id === 'info' ? ratioCell(e.cpu, logs.off.cpu) : ''} | ${records} |`,
      );
    }
    push(
      '',
      `Logs at info over off, CPU per request, run by run: ${ratioCell(logs.info.cpu, logs.off.cpu)}; the difference ${cell(logs.info.cpu.map((x, i) => x - logs.off.cpu[i]))} us per request.`,
      '',
    );
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- main
results.meta = {
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model ?? 'unknown CPU',
  cores: cpus().length,
  memGiB: totalmem() / 2 ** 30,
  node: process.version,
  command: process.env.BENCH_COMMAND ?? 'npm run bench',
  reduced: process.env.BENCH_REDUCED_NOTE,
  settings: { DURATION, RUNS, WARMUP, RUN_WARMUP, DOWN_SECONDS, CONNECTIONS, SERVER_CPU, LOAD_CPU, SPANS },
};
try {
  if (process.env.BENCH_REPORT_ONLY) {
    // Rewrites the report (e.g. after editing bench/reading.md) from the figures of the last run.
    Object.assign(
      results,
      JSON.parse((await import('node:fs')).readFileSync(join(ROOT, 'bench/last-results.json'), 'utf8')),
    );
    SECTIONS.clear();
  }
  // How long each section took, so the full run's length (the 20-minute budget) can be read from its report.
  const seconds = {};
  const timed = async (name, section) => {
    const started = Date.now();
    await section();
    seconds[name] = Math.round((Date.now() - started) / 1000);
  };
  const apps = (process.env.BENCH_APPS ?? 'express,ingest').split(',');
  if (SECTIONS.has('startup')) await timed('startup', startupSection);
  if (SECTIONS.has('http')) for (const appId of apps) await timed(`http ${appId}`, () => httpSection(appId));
  if (SECTIONS.has('span')) await timed('per-span', spanSection);
  if (SECTIONS.has('export')) await timed('export', exportSection);
  if (SECTIONS.has('down')) await timed('down', downSection);
  if (SECTIONS.has('profiling'))
    for (const appId of apps) await timed(`profiling ${appId}`, () => profilingSection(appId));
  if (SECTIONS.has('gzip')) await timed('gzip', gzipSection);
  if (SECTIONS.has('logs')) await timed('logs', logsSection);
  if (!process.env.BENCH_REPORT_ONLY) results.meta.sectionSeconds = seconds;
  if (!process.env.BENCH_REPORT_ONLY)
    writeFileSync(join(ROOT, 'bench/last-results.json'), `${JSON.stringify(results, null, 2)}\n`);
  let reading = '';
  try {
    reading = (await import('node:fs')).readFileSync(join(ROOT, 'bench/reading.md'), 'utf8');
  } catch {}
  writeFileSync(OUT, `${report()}\n${reading ? `\n${reading}` : ''}`);
  log(`wrote ${OUT}`);
} finally {
  await stopAll();
}
process.exit(0);
