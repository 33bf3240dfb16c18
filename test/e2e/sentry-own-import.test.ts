// An application that imports @sentry/node itself under the bootstrap: the layer loads Sentry's CommonJS build,
// and the application's own import (ESM or require) must get that same copy, or its Scope patches, instanceof
// checks and handlers would act on a second Sentry that holds neither the client nor the scopes' class.
import { describe, expect, it } from 'vitest';
import { runToExit, startFakeSentry, closeAfterTest, useKitCleanup } from '../kit/index.js';

useKitCleanup();

const SAME_COPY = { client: true, scope: true, patchSeesLayer: true };

describe('an application importing @sentry/node itself', () => {
  for (const fixture of ['test/fixtures/sentry-own-import.mjs', 'test/fixtures/sentry-own-require.cjs']) {
    it(`gets the layer's copy of Sentry (${fixture.endsWith('.cjs') ? 'require' : 'import'})`, async () => {
      const sentry = closeAfterTest(await startFakeSentry());
      const result = await runToExit(fixture, { env: { SENTRY_DSN: sentry.dsn, TELEMETRY_EXPORTERS: 'sentry' } });
      expect(result.code, result.stderr).toBe(0);
      const line = /^COPY (.*)$/m.exec(result.stdout);
      expect(line, result.stdout).not.toBeNull();
      expect(JSON.parse(line?.[1] ?? '{}')).toEqual(SAME_COPY);
    });
  }

  it('gets it with the span side off too (OTEL_SDK_DISABLED)', async () => {
    const sentry = closeAfterTest(await startFakeSentry());
    const result = await runToExit('test/fixtures/sentry-own-import.mjs', {
      env: { SENTRY_DSN: sentry.dsn, OTEL_SDK_DISABLED: 'true' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(/^COPY (.*)$/m.exec(result.stdout)?.[1] ?? '{}')).toEqual(SAME_COPY);
  });
});
