// The reporter of contained failures: counts per site, one diag line per site, and nothing it does can throw.
import {
  DiagLogLevel,
  ROOT_CONTEXT,
  diag,
  trace,
  type DiagLogger,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  internalErrorCounts,
  reportInternalError,
  resetInternalErrors,
} from '../../../src/telemetry/common/internal-errors.js';
import { createPropagator } from '../../../src/telemetry/propagation/propagator.js';
import { makeConfig } from '../sampling/sampling-harness.js';

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

describe('reportInternalError', () => {
  it('counts each report and logs the first of each site only', () => {
    for (let i = 0; i < 4; i++) reportInternalError('site.a', new Error(`failure ${i}`));
    reportInternalError('site.b', new Error('other'));
    expect(internalErrorCounts()).toEqual({ total: 5, bySite: { 'site.a': 4, 'site.b': 1 } });
    expect(debugLines).toHaveLength(2);
    expect(debugLines[0]).toContain('site.a failed');
    expect(debugLines[0]).toContain('Error: failure 0');
    expect(debugLines[1]).toContain('site.b failed');
  });

  it('never throws, even for a value whose toString throws or a diag logger that throws', () => {
    const hostile = {
      toString() {
        throw new Error('no');
      },
    };
    expect(() => reportInternalError('site.a', hostile)).not.toThrow();
    expect(debugLines[0]).toContain('site.a failed');
    const breaking: DiagLogger = {
      ...logger,
      debug: (message) => {
        if (message.startsWith('otel-sentry-bridge:')) throw new Error('logger broke');
      },
    };
    diag.setLogger(breaking, { logLevel: DiagLogLevel.DEBUG, suppressOverrideMessage: true });
    expect(() => reportInternalError('site.b', new Error('x'))).not.toThrow();
    expect(internalErrorCounts()).toEqual({ total: 2, bySite: { 'site.a': 1, 'site.b': 1 } });
  });
});

describe("a contained failure in the app's own call", () => {
  it('the propagator: a carrier that throws costs the headers, never the request, and is counted per call', () => {
    const propagator = createPropagator(makeConfig());
    const throwingSetter: TextMapSetter = {
      set: () => {
        throw new Error('frozen headers');
      },
    };
    const throwingGetter: TextMapGetter = {
      keys: () => [],
      get: () => {
        throw new Error('headers gone');
      },
    };
    const sampled = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: 'ab'.repeat(16),
      spanId: 'cd'.repeat(8),
      traceFlags: 1,
    });
    for (let i = 0; i < 2; i++) {
      expect(() => propagator.inject(sampled, {}, throwingSetter)).not.toThrow();
      expect(propagator.extract(ROOT_CONTEXT, {}, throwingGetter)).toBe(ROOT_CONTEXT);
    }
    expect(internalErrorCounts()).toEqual({ total: 4, bySite: { 'propagation.inject': 2, 'propagation.extract': 2 } });
    expect(debugLines.map((line) => /: (\S+) failed/.exec(line)?.[1])).toEqual([
      'propagation.inject',
      'propagation.extract',
    ]);
  });
});
