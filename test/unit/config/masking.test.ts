import { describe, expect, it } from 'vitest';
import { maskUrl } from '../../../src/telemetry/config/masking.js';

describe('maskUrl', () => {
  it('masks the userinfo password and every query value, keeping names, path and fragment', () => {
    expect(maskUrl('https://user:s3cret@collector.example:4318/v1/traces?api_key=abc123&tenant=acme#x')).toBe(
      'https://user:…@collector.example:4318/v1/traces?api_key=…&tenant=…#x',
    );
    expect(maskUrl('http://collector:4318/v1/traces')).toBe('http://collector:4318/v1/traces');
    expect(maskUrl('http://collector:4318/v1/traces?flag&empty=')).toBe('http://collector:4318/v1/traces?flag&empty=');
    expect(maskUrl('http://token@collector:4318/?k=v')).toBe('http://token@collector:4318/?k=…');
  });
});
