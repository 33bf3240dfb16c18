// `--require otel-sentry-bridge/register`, the flag older guides use: one line saying to use --import, exit 1,
// instead of Node's ERR_REQUIRE_ASYNC_MODULE stack (the bootstrap is an ES module with top-level await).
import { describe, expect, it } from 'vitest';
import { runToExit, useKitCleanup } from '../kit/index.js';

useKitCleanup();

describe('the bootstrap loaded with --require', () => {
  it('prints one line pointing to --import and stops before the app runs', async () => {
    const result = await runToExit('test/fixtures/http-app.mjs', {
      importRegister: false,
      nodeArgs: ['--require', 'otel-sentry-bridge/register'],
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'otel-sentry-bridge: load the bootstrap with --import, not --require: node --import otel-sentry-bridge/register app.js\n',
    );
  });
});
