// The `sentry.*` names the layer writes (src/telemetry/common/sentry-attributes.ts) are Sentry's where Sentry defines
// them: those taken from @sentry/core must still agree with @sentry/conventions, which replaces them, and the one
// @sentry/core has no constant for is spelled as @sentry/conventions spells it.
import { SENTRY_OP, SENTRY_PROFILER_ID } from '@sentry/conventions/attributes';
import { describe, expect, it } from 'vitest';
import { ATTR_SENTRY_OP, ATTR_SENTRY_PROFILER_ID } from '../../../src/telemetry/common/sentry-attributes.js';

describe('Sentry attribute names', () => {
  it('are the ones @sentry/conventions defines', () => {
    expect(ATTR_SENTRY_OP).toBe(SENTRY_OP);
    expect(ATTR_SENTRY_PROFILER_ID).toBe(SENTRY_PROFILER_ID);
  });
});
