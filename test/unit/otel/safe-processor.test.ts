// A throwing processor of ours never reaches the app's span calls.
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { safeProcessor } from '../../../src/telemetry/otel/safe-processor.js';

const throwing: SpanProcessor = {
  onStart: () => {
    throw new Error('onStart broke');
  },
  onEnding: () => {
    throw new Error('onEnding broke');
  },
  onEnd: () => {
    throw new Error('onEnd broke');
  },
  forceFlush: async () => {},
  shutdown: async () => {},
};

describe('safeProcessor', () => {
  it('lets spans start, end and export when a processor throws at every step', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [safeProcessor(throwing), new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('test');
    expect(() => tracer.startActiveSpan('work', (span) => span.end())).not.toThrow();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['work']);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('the same processor unwrapped would throw into the caller (what the wrapper prevents)', () => {
    const provider = new BasicTracerProvider({ spanProcessors: [throwing] });
    expect(() => provider.getTracer('test').startSpan('work')).toThrow('onStart broke');
  });
});
