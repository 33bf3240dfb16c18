import { describe, expect, it } from 'vitest';
import { asUncaughtError, rejectionMode } from '../../../src/telemetry/sentry/node-rejections.js';

describe('rejectionMode', () => {
  it('is throw, Node 20 default, without the flag', () => {
    expect(rejectionMode([], '')).toBe('throw');
  });

  it('reads both spellings from the command line and NODE_OPTIONS, the command line winning', () => {
    expect(rejectionMode(['--unhandled-rejections=warn'], '')).toBe('warn');
    expect(rejectionMode(['--unhandled-rejections', 'strict'], '')).toBe('strict');
    expect(rejectionMode([], '--max-old-space-size=100 --unhandled_rejections=none')).toBe('none');
    expect(rejectionMode(['--unhandled-rejections=warn-with-error-code'], '--unhandled-rejections=strict')).toBe(
      'warn-with-error-code',
    );
  });

  it('ignores a value Node would refuse', () => {
    expect(rejectionMode(['--unhandled-rejections=loud'], '')).toBe('throw');
  });
});

describe('asUncaughtError', () => {
  it('raises an error as it is and wraps anything else as Node does', () => {
    const error = new Error('boom');
    expect(asUncaughtError(error)).toBe(error);
    const wrapped = asUncaughtError('plain string');
    expect(wrapped.message).toContain('The promise rejected with the reason "plain string".');
    expect((wrapped as Error & { code?: string }).code).toBe('ERR_UNHANDLED_REJECTION');
  });
});
