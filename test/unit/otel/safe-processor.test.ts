// A throwing processor of ours never reaches the app's span calls, and each failure is counted and logged once
// per call site (internal-errors.ts).
import { DiagLogLevel, diag, trace, type DiagLogger } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { internalErrorCounts, resetInternalErrors } from '../../../src/telemetry/common/internal-errors.js';
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

const debugLines: string[] = [];
const logger: DiagLogger = {
  error: () => {},
  warn: () => {},
  info: () => {},
  // The API's own registration line is debug too; only the layer's lines count here.
  debug: (message) => void (message.startsWith('otel-sentry-bridge:') && debugLines.push(message)),
  verbose: () => {},
};

beforeEach(() => {
  resetInternalErrors();
  debugLines.length = 0;
  diag.setLogger(logger, { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true });
});
afterEach(() => diag.disable());

describe('safeProcessor', () => {
  it('lets spans start, end and export when a processor throws at every step', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [safeProcessor(throwing, 'broken'), new SimpleSpanProcessor(exporter)],
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

  it('counts every failure per call site and logs the first of each site once, at debug level', () => {
    const provider = new BasicTracerProvider({ spanProcessors: [safeProcessor(throwing, 'broken')] });
    const tracer = provider.getTracer('test');
    for (let i = 0; i < 3; i++) tracer.startSpan(`work ${i}`).end();
    expect(internalErrorCounts()).toEqual({
      total: 9,
      bySite: { 'processor:broken.onStart': 3, 'processor:broken.onEnding': 3, 'processor:broken.onEnd': 3 },
    });
    expect(debugLines).toHaveLength(3);
    expect(debugLines[0]).toContain('processor:broken.onStart failed');
    expect(debugLines[0]).toContain('Error: onStart broke');
    expect(debugLines[2]).toContain('processor:broken.onEnd failed');
  });
});
