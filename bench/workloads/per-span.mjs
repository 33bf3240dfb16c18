// Per-span cost: startActiveSpan + 3 attributes + end, under whatever --import set up the global tracer
// (nothing: the no-op API; the raw SDK anchor; or ours). Prints one JSON line with nanoseconds per span.
// Spans run in chunks with a turn of the event loop between them, so the export side (batching, serialising)
// gets its share of the same thread, as it would in a service.
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

async function run(count) {
  for (let done = 0; done < count; done += CHUNK) {
    if (asChild) tracer.startActiveSpan('parent', (parent) => {
      chunk();
      parent.end();
    });
    else chunk();
    await turn();
  }
}

await run(Math.min(50_000, total)); // warm-up: JIT and pools
const start = process.hrtime.bigint();
await run(total);
const ns = Number(process.hrtime.bigint() - start) / total;
process.stdout.write(`${JSON.stringify({ nsPerSpan: ns })}\n`);
process.exit(0);
