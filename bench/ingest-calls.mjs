// `npm run bench:calls`: what each kind of monitoring call costs on the ingest benchmark's path, ours against the
// raw SDK anchor, in CPU per request (bench/workloads/ingest-calls.mjs: the path's 14 spans and its calls, without
// HTTP or SQLite), and what a business event adds (a high-confidence answer sends one). Each configuration runs
// in BENCH_RUNS fresh processes (5), interleaved, pinned like `npm run bench`; ratios are run by run. Prints a
// Markdown table (the reading in bench/reading.md quotes it).
import { SERVER_CPU, childEnv, runPinned, stopAll } from './lib/proc.mjs';
import { OURS_ARGS, oursEnv, rawAnchor, rotate, startReceiver } from './lib/setups.mjs';
import { cell, median, ratios } from './lib/stats.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REQUESTS = 2000;
const log = (line) => process.stderr.write(`[bench:calls] ${line}\n`);

const receiver = await startReceiver();
const envelopes = async () => (await receiver.control('/stats')).envelopes;
const RAW = rawAnchor(receiver);
const OURS = { args: OURS_ARGS, env: oursEnv(receiver, 1.0) };
const PATH = 'scope,breadcrumbs';
const CONFIGS = [
  { id: 'raw', label: "raw SDK, the path's calls", ...RAW, calls: PATH },
  { id: 'rawNone', label: 'raw SDK, no monitoring calls', ...RAW, calls: '' },
  { id: 'ours', label: "ours, the path's calls", ...OURS, calls: PATH },
  { id: 'oursNoBreadcrumbs', label: 'ours, no breadcrumbs', ...OURS, calls: 'scope' },
  { id: 'oursNoScope', label: 'ours, no scope calls (user, tags, contexts)', ...OURS, calls: 'breadcrumbs' },
  { id: 'oursNone', label: 'ours, no monitoring calls', ...OURS, calls: '' },
  { id: 'oursMessage', label: "ours, the path's calls and one business event", ...OURS, calls: `${PATH},message` },
];

const cpu = Object.fromEntries(CONFIGS.map((c) => [c.id, []]));
const sentEvents = Object.fromEntries(CONFIGS.map((c) => [c.id, []]));
for (let run = 0; run < RUNS; run++) {
  for (const config of rotate(CONFIGS, run)) {
    const before = await envelopes();
    const out = await runPinned(
      SERVER_CPU,
      process.execPath,
      [...config.args, 'bench/workloads/ingest-calls.mjs'],
      childEnv({ ...config.env, BENCH_CALLS: config.calls, BENCH_REQUESTS: String(REQUESTS) }),
    );
    const line = out.split('\n').find((l) => l.startsWith('{"cpu"'));
    if (line === undefined) throw new Error(`${config.id}: no result line in\n${out}`);
    const result = JSON.parse(line);
    cpu[config.id].push(result.cpu);
    sentEvents[config.id].push(((await envelopes()) - before) / result.requests);
  }
  log(`run ${run + 1}/${RUNS}: ${CONFIGS.map((c) => `${c.id} ${cpu[c.id][run].toFixed(0)} us`).join(', ')}`);
}
await stopAll();

const lines = [
  `CPU per request (us), median (min-max) of ${RUNS} processes each; "vs raw SDK" is the raw SDK's CPU over this row's, run by run.`,
  '',
  "| configuration | CPU per request (us) | vs raw SDK, the path's calls | Sentry envelopes per request |",
  '| --- | --- | --- | --- |',
];
for (const c of CONFIGS) {
  lines.push(
    `| ${c.label} | ${cell(cpu[c.id])} | ${cell(ratios(cpu.raw, cpu[c.id]), 2)} | ${median(sentEvents[c.id]).toFixed(3)} |`,
  );
}
lines.push('', 'What each kind of call adds, run by run, in us per request:', '');
const added = (id, without) => cell(cpu[id].map((x, i) => x - cpu[without][i]));
lines.push(`- to ours, the breadcrumbs: ${added('ours', 'oursNoBreadcrumbs')}`);
lines.push(`- to ours, the scope calls: ${added('ours', 'oursNoScope')}`);
lines.push(`- to ours, all of the path's calls: ${added('ours', 'oursNone')}`);
lines.push(`- to the raw SDK, all of the path's calls: ${added('raw', 'rawNone')}`);
lines.push(`- to ours, one business event: ${added('oursMessage', 'ours')}`);
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(0);
