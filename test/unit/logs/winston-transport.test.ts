import { describe, expect, it } from 'vitest';
import { winstonTransportMissing } from '../../../src/telemetry/otel/instrumentations.js';

describe('the winston transport, an optional peer', () => {
  it('is found where it is installed (this repository pins it)', () => {
    expect(winstonTransportMissing()).toBeUndefined();
  });

  it('when it cannot be resolved, a start-up warning names the package and the install command', () => {
    const notFound = (name: string): string => {
      throw Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
    };
    expect(winstonTransportMissing(notFound)).toMatch(
      /^winston is installed and TELEMETRY_LOGS is on, but @opentelemetry\/winston-transport is not: .* npm install @opentelemetry\/winston-transport@0\.34/,
    );
  });
});
