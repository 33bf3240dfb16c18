import { describe, expect, it } from 'vitest';
import { otelLineProblem } from '../../../src/telemetry/otel/otel-line.js';

describe('otelLineProblem', () => {
  it('accepts the 2.x line on Node 20 and the 3.x line on Node 22.15+', () => {
    expect(otelLineProblem({ sdk: '2.12.1', api: '1.9.1' }, '20.19.0')).toBeUndefined();
    expect(otelLineProblem({ sdk: '2.12.1', api: '1.9.1' }, '24.22.3')).toBeUndefined();
    expect(otelLineProblem({ sdk: '3.1.1', api: '1.10.0' }, '22.15.0')).toBeUndefined();
    expect(otelLineProblem({ sdk: '3.1.1', api: '1.10.0' }, '24.22.3')).toBeUndefined();
  });

  it('refuses the 3.x line below Node 22.15, naming the versions and the fix', () => {
    const problem = otelLineProblem({ sdk: '3.1.1', api: '1.10.0' }, '22.14.0');
    expect(problem).toContain(
      'the OpenTelemetry JS 3.x line is installed (@opentelemetry/sdk-trace 3.1.1, @opentelemetry/api 1.10.0)',
    );
    expect(problem).toContain('needs Node >= 22.15.0; this is Node 22.14.0');
    expect(problem).toContain('Fix: run on Node 22.15.0 or later, or reinstall on this Node');
    expect(otelLineProblem({ sdk: '3.1.1', api: '1.10.0' }, '20.20.2')).toContain('this is Node 20.20.2');
  });

  it('refuses mixed lines (what --legacy-peer-deps can install)', () => {
    expect(otelLineProblem({ sdk: '2.12.1', api: '1.10.0' }, '24.22.3')).toContain('mixed OpenTelemetry JS lines');
    expect(otelLineProblem({ sdk: '3.1.1', api: '1.9.1' }, '24.22.3')).toContain(
      'the 3.x SDK needs @opentelemetry/api 1.10',
    );
  });

  it('says nothing when the SDK or the API cannot be resolved', () => {
    expect(otelLineProblem({ sdk: undefined, api: '1.10.0' }, '20.20.2')).toBeUndefined();
    expect(otelLineProblem({ sdk: '3.1.1', api: undefined }, '20.20.2')).toBeUndefined();
  });
});
