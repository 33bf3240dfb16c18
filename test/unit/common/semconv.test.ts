// The layer's copy of the semantic-convention names (src/telemetry/common/semconv.ts) must say what the pinned package says.
import * as stableEntry from '@opentelemetry/semantic-conventions';
import * as incubatingEntry from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import * as copiedNames from '../../../src/telemetry/common/semconv.js';

const asRecord = (entry: object): Record<string, unknown> => ({ ...entry });
const copied = asRecord(copiedNames);
const incubating = asRecord(incubatingEntry);
const stable = asRecord(stableEntry);

describe('semantic-convention names', () => {
  it('equal the package constants of the same name', () => {
    const names = Object.keys(copied);
    expect(names.length).toBeGreaterThan(25);
    for (const name of names) expect({ name, value: copied[name] }).toEqual({ name, value: incubating[name] });
  });

  it('take the stable ones from the stable entry point', () => {
    for (const name of ['ATTR_ERROR_TYPE', 'ATTR_EXCEPTION_MESSAGE', 'ATTR_EXCEPTION_STACKTRACE', 'ATTR_EXCEPTION_TYPE']) {
      expect(copied[name]).toBeDefined();
      expect(copied[name]).toBe(stable[name]);
    }
  });
});
