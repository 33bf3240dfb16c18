// The layer's copy of the semantic-convention names (src/telemetry/semconv.ts) must say what the pinned package says.
import * as stable from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as copied from '../../src/telemetry/semconv.js';

describe('semantic-convention names', () => {
  it('equal the package constants of the same name', () => {
    const names = Object.keys(copied);
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) {
      expect({ name, value: copied[name as keyof typeof copied] }).toEqual({ name, value: (incubating as Record<string, unknown>)[name] });
    }
  });

  it('take the stable ones from the stable entry point', () => {
    for (const name of ['ATTR_ERROR_TYPE', 'ATTR_EXCEPTION_MESSAGE', 'ATTR_EXCEPTION_STACKTRACE', 'ATTR_EXCEPTION_TYPE'] as const) {
      expect(copied[name]).toBe(stable[name]);
    }
  });
});
