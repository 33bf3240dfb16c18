// Export under load: root spans at a sustained rate (BENCH_SPAN_RATE per second, in 10 ms ticks) for
// BENCH_DURATION seconds, then a flush. Prints how many spans were created; the receiver counts what arrived.
import { trace } from '@opentelemetry/api';

const rate = Number(process.env.BENCH_SPAN_RATE ?? 5000);
const seconds = Number(process.env.BENCH_DURATION ?? 10);
const tracer = trace.getTracer('bench');
let created = 0;
const start = performance.now();

await new Promise((resolve) => {
  const tick = () => {
    const elapsed = performance.now() - start;
    // Catch up on the ticks a busy moment delayed, so the rate is the one asked for.
    const due = Math.min(rate * seconds, Math.floor((elapsed / 1000) * rate));
    while (created < due) {
      tracer.startActiveSpan('job', (span) => {
        span.setAttribute('job.index', created);
        span.setAttribute('job.kind', 'export-load');
        span.setAttribute('job.ok', true);
        span.end();
      });
      created++;
    }
    if (created >= rate * seconds) resolve();
    else setTimeout(tick, 1000 / 100 - ((performance.now() - start) % 10));
  };
  tick();
});

let pipeline;
if (process.env.BENCH_MODE === 'ours') {
  const { getTelemetry } = await import('../../dist/src/telemetry/lifecycle/start.js');
  const telemetry = await getTelemetry();
  await telemetry.flush(15_000);
  pipeline = telemetry.stats();
} else {
  const provider = trace.getTracerProvider();
  const delegate = typeof provider.getDelegate === 'function' ? provider.getDelegate() : provider;
  await delegate.forceFlush();
}
process.stdout.write(`${JSON.stringify({ created, pipeline })}\n`);
process.exit(0);
