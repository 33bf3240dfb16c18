// Per-span cost: startActiveSpan + 3 attributes + end, under whatever --import set up the global tracer
// (nothing: the no-op API; the raw SDK anchor; or ours). Spans come in chunks of 1,000 every
// BENCH_SPAN_PACE_MS (50 ms: 20,000 spans/s), a pace both export pipelines keep up with, so each one exports
// every span and the figures compare equal work. Prints one JSON line, nanoseconds per span:
// `hotPath` is the time inside the span calls (sampler, processors' onStart/onEnd, the span itself);
// `cpu` is the process's CPU time per span, export side (batching, redaction, serialising) and GC included.
import { trace } from '@opentelemetry/api';

const total = Number(process.env.BENCH_SPANS ?? 100_000);
const asChild = process.env.BENCH_SPAN_PARENT === 'child';
const tracer = trace.getTracer('bench');
const CHUNK = 1000;

function chunk() {
  for (let i = 0; i < CHUNK; i++) {
    tracer.startActiveSpan('work', (span) => {
      span.setAttribute('bench.index', i);
      span.setAttribute('bench.kind', 'unit');
      span.setAttribute('bench.ok', true);
      span.end();
    });
  }
}

const paceMs = Number(process.env.BENCH_SPAN_PACE_MS ?? 50);
const turn = () => new Promise((resolve) => setTimeout(resolve, paceMs));

let hotNs = 0n;

async function run(count) {
  for (let done = 0; done < count; done += CHUNK) {
    const t0 = process.hrtime.bigint();
    if (asChild)
      tracer.startActiveSpan('parent', (parent) => {
        chunk();
        parent.end();
      });
    else chunk();
    hotNs += process.hrtime.bigint() - t0;
    await turn();
  }
}

await run(Math.min(20_000, total)); // warm-up: JIT and pools
await turn();
hotNs = 0n;
const cpu0 = process.cpuUsage();
await run(total);
await new Promise((resolve) => setTimeout(resolve, 1500)); // the last batches leave within the measured CPU
const cpu1 = process.cpuUsage(cpu0);
const cpu = ((cpu1.user + cpu1.system) * 1000) / total;
process.stdout.write(`${JSON.stringify({ hotPath: Number(hotNs) / total, cpu })}\n`);
process.exit(0);
