// The spans a process exit would lose: marked failed on a crash, ended with an error status at the exit.
import { SpanStatusCode } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { OpenSpans } from '../../../src/telemetry/lifecycle/open-spans.js';

function setup(): {
  open: OpenSpans;
  exporter: InMemorySpanExporter;
  tracer: ReturnType<BasicTracerProvider['getTracer']>;
} {
  const open = new OpenSpans();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter), open] });
  return { open, exporter, tracer: provider.getTracer('test') };
}

describe('OpenSpans', () => {
  it('forgets ended spans and ends the open ones with an error status, keeping a status already set', () => {
    const { open, exporter, tracer } = setup();
    tracer.startSpan('done').end();
    tracer.startSpan('open');
    const failed = tracer.startSpan('failed already');
    failed.setStatus({ code: SpanStatusCode.ERROR, message: 'own reason' });
    expect(open.size).toBe(2);
    expect(open.endOpen('process exiting')).toBe(2);
    expect(open.size).toBe(0);
    const byName = Object.fromEntries(exporter.getFinishedSpans().map((s) => [s.name, s.status]));
    expect(byName).toEqual({
      done: { code: SpanStatusCode.UNSET },
      open: { code: SpanStatusCode.ERROR, message: 'process exiting' },
      'failed already': { code: SpanStatusCode.ERROR, message: 'own reason' },
    });
  });

  it('marks only the crashed trace, with the exception, and leaves its spans open for their owner to end', () => {
    const { open, exporter, tracer } = setup();
    const crashed = tracer.startSpan('crashed');
    const other = tracer.startSpan('other request');
    const error = new Error('boom');
    expect(open.markFailed('uncaught exception: boom', { traceId: crashed.spanContext().traceId, error })).toBe(1);
    expect(open.size).toBe(2);
    crashed.end();
    other.end();
    const [first, second] = exporter.getFinishedSpans();
    expect(first?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'uncaught exception: boom' });
    expect(first?.events.map((e) => e.name)).toEqual(['exception']);
    expect(second?.status).toEqual({ code: SpanStatusCode.UNSET });
  });

  it('stays bounded when spans are never ended, forgetting the oldest', () => {
    const { open, exporter, tracer } = setup();
    for (let i = 0; i < 20_000; i++) tracer.startSpan(`leaked ${i}`);
    expect(open.size).toBe(16_384);
    expect(open.endOpen('process exiting')).toBe(16_384);
    const names = new Set(exporter.getFinishedSpans().map((s) => s.name));
    expect(names.has('leaked 19999')).toBe(true);
    expect(names.has(`leaked ${20_000 - 16_384}`)).toBe(true);
    expect(names.has(`leaked ${20_000 - 16_384 - 1}`)).toBe(false);
  });
});
