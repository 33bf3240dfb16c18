// The console tree of a short script: the trace is printed when the script ends on its own, although the tree
// waits for a trace's late spans on an unref'd timer that the exit-time flush used not to reach.
import { describe, expect, it } from 'vitest';
import { runToExit, useKitCleanup } from '../kit/index.js';

useKitCleanup();

describe('the console tree of a script that exits by itself', () => {
  it('prints the trace before the process ends', async () => {
    const result = await runToExit('test/fixtures/short-script.mjs', {
      env: { NODE_ENV: 'development', TELEMETRY_EXPORTERS: 'console' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^trace [0-9a-f]{32}\n {2}short\.work \d/m);
  });
});
