// Spans dropped at a sustained rate with healthy backends, gzip on and off: span-rate.mjs under the bootstrap,
// its pipeline's own counts read back. The sink answers every request with 200 after BENCH_SINK_DELAY_MS
// (default 50 ms: the round trip to a remote Sentry or collector; loopback hides it). Not part of `npm run
// bench` (one question, a quick answer): `nice -n 10 node bench/gzip-drops.mjs` after `npm run build`.
// BENCH_SPAN_RATE (default 20000/s), BENCH_DURATION (default 5 s), BENCH_RUNS (default 2).
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { promisify } from 'node:util';
import { childEnv } from './lib/proc.mjs';
import { OURS_ARGS, oursEnv } from './lib/setups.mjs';

const run = promisify(execFile);
const rate = process.env.BENCH_SPAN_RATE ?? '20000';
const duration = process.env.BENCH_DURATION ?? '5';
const runs = Number(process.env.BENCH_RUNS ?? 2);
const delayMs = Number(process.env.BENCH_SINK_DELAY_MS ?? 50);

const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () =>
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    }, delayMs),
  );
});
await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
const { port } = sink.address();
const receiver = { sinkUrl: `http://127.0.0.1:${port}`, dsn: `http://benchkey@127.0.0.1:${port}/1` };

const configs = [
  { id: 'otlp, no compression', exporters: 'otlp', env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'none' } },
  { id: 'otlp, gzip', exporters: 'otlp', env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip' } },
  { id: 'sentry (always gzip)', exporters: 'sentry', env: {} },
];
for (let i = 0; i < runs; i++) {
  for (const c of configs) {
    const env = childEnv({
      ...oursEnv(receiver, 1.0, c.exporters),
      ...c.env,
      BENCH_MODE: 'ours',
      BENCH_SPAN_RATE: rate,
      BENCH_DURATION: duration,
    });
    const { stdout, stderr } = await run(process.execPath, [...OURS_ARGS, 'bench/workloads/span-rate.mjs'], {
      env,
      maxBuffer: 1 << 24,
    });
    const { created, pipeline } = JSON.parse(/\{.*\}/.exec(stdout)[0]);
    const stats = pipeline[c.exporters];
    const why = /exporter "\w+" failed \((.*?)\); \d+ span\(s\) dropped/.exec(stderr);
    const share = ((100 * stats.dropped) / created).toFixed(1);
    process.stdout.write(
      `${c.id}: created ${created}, exported ${stats.exported}, dropped ${stats.dropped} (${share} %)${why ? ` (${why[1]})` : ''}\n`,
    );
  }
}
process.exit(0);
