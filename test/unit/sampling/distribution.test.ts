/** At rate 0.25 the kept share of 20,000 roots is 0.25 ± 0.015, and two exporters get the very same traces. */
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createSampler } from '../../../src/telemetry/sampling/sampler.js';
import { makeConfig } from './sampling-harness.js';

describe('sampling distribution', () => {
  it('keeps 0.25 ± 0.015 of 20,000 roots and exports the same trace ids to both exporters', async () => {
    const sentryLike = new InMemorySpanExporter();
    const otlpLike = new InMemorySpanExporter();
    const batch = { maxQueueSize: 50_000, maxExportBatchSize: 1000, scheduledDelayMillis: 10 };
    const provider = new BasicTracerProvider({
      sampler: createSampler(makeConfig({ sampling: { tracesSampleRate: 0.25 } })),
      spanProcessors: [new BatchSpanProcessor(sentryLike, batch), new BatchSpanProcessor(otlpLike, batch)],
    });
    const tracer = provider.getTracer('distribution');
    const total = 20_000;
    let kept = 0;
    for (let i = 0; i < total; i++) {
      const root = tracer.startSpan(`job ${i}`, { kind: SpanKind.INTERNAL }, ROOT_CONTEXT);
      const child = tracer.startSpan('step', {}, trace.setSpan(ROOT_CONTEXT, root));
      if (root.isRecording()) kept++;
      expect(child.isRecording()).toBe(root.isRecording());
      child.end();
      root.end();
    }
    await provider.forceFlush();
    const share = kept / total;
    expect(share).toBeGreaterThan(0.235);
    expect(share).toBeLessThan(0.265);
    const idsA = new Set(sentryLike.getFinishedSpans().map((span) => span.spanContext().traceId));
    const idsB = new Set(otlpLike.getFinishedSpans().map((span) => span.spanContext().traceId));
    expect(idsA.size).toBe(kept);
    expect([...idsA].toSorted()).toEqual([...idsB].toSorted());
    expect(sentryLike.getFinishedSpans()).toHaveLength(2 * kept);
    console.log(`kept ${kept} of ${total} roots: share ${share.toFixed(4)}`);
    await provider.shutdown();
  });
});
