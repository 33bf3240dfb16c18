// The development tree: with no backend configured, each finished trace is printed with its log lines under the
// span that was active when they were written, scrubbed like everything else.
import { describe, expect, it } from 'vitest';
import { request, startApp, useKitCleanup } from '../kit/index.js';

useKitCleanup();

describe('console tree with logs', () => {
  it('prints the log lines of every source under their span', async () => {
    const app = await startApp('test/fixtures/logs-app.mjs', {
      env: { NODE_ENV: 'development', OTEL_BSP_SCHEDULE_DELAY: '50' },
    });
    expect(app.stderr()).toMatch(/exporters=console logs=info /);
    await request(`${app.url}/api/log/alice`);
    const [, traceId] = await app.waitForLine(/^trace ([0-9a-f]{32})$/, 10_000);
    await app.waitForLine(/· INFO otel line for alice/, 10_000);
    await app.kill();
    const stderr = app.stderr();
    const tree = stderr.slice(stderr.indexOf(`trace ${traceId}\n`)).split('\n');
    const route = tree.findIndex((line) => /└ request handler - \/api\/log\/:user|GET \/api\/log\/:user/.test(line));
    expect(route, stderr).toBeGreaterThan(0);
    for (const source of ['console', 'pino', 'winston', 'otel']) {
      const index = tree.findIndex((line) => line.includes(`· INFO ${source} line for alice with Bearer [Filtered]`));
      expect(index, `${source} line in\n${stderr}`).toBeGreaterThan(0);
      // One level deeper than the span it belongs to.
      const indent = (line: string): number => line.length - line.trimStart().length;
      const owner = tree.slice(0, index).findLast((line) => !line.trimStart().startsWith('·'))!;
      expect(indent(tree[index]!)).toBeGreaterThan(indent(owner));
    }
    expect(stderr).not.toContain('sk-live-abcdefghijklmnopqrstuvwx');
  });
});
