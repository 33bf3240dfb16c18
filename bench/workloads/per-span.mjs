// Per-span cost: startActiveSpan + 3 attributes + end, under whatever --import set up the global tracer
// (nothing: the no-op API; the raw SDK anchor; or ours). Prints one JSON line with nanoseconds per span:
// `hotPath` counts only the time inside the span calls (sampler, processors' onStart/onEnd, the span itself);
// `wall` also counts the event-loop turns between chunks, where the export side (batching, redaction,
// serialising) runs on the same thread. Spans come far faster than any exporter takes them, so each pipeline
// drops what its queue cannot hold, and `wall` depends on how many spans a pipeline keeps: compare `hotPath`.
import { trace } from '@opentelemetry/api';

const total = Number(process.env.BENCH_SPANS ?? 200_000);
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

const turn = () => new Promise((resolve) => setImmediate(resolve));

let hotNs = 0n;

async function run(count) {
  for (let done = 0; done < count; done += CHUNK) {
    const t0 = process.hrtime.bigint();
    if (asChild) tracer.startActiveSpan('parent', (parent) => {
      chunk();
      parent.end();
    });
    else chunk();
    hotNs += process.hrtime.bigint() - t0;
    await turn();
  }
}

await run(Math.min(50_000, total)); // warm-up: JIT and pools
hotNs = 0n;
const start = process.hrtime.bigint();
await run(total);
const wall = Number(process.hrtime.bigint() - start) / total;
process.stdout.write(`${JSON.stringify({ hotPath: Number(hotNs) / total, wall })}\n`);
process.exit(0);
