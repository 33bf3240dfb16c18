import { defineConfig } from 'vitest/config';

// `npm run test:ops`: the ops side proven on the real Collector. The global setup builds (or reuses from
// ${XDG_CACHE_HOME:-~/.cache}/otel-sentry-bridge/) the Collector distribution and promtool; it fails the run
// with a clear message when the Go toolchain is missing, never skips. Files run one at a time: each starts
// several Collector processes on loopback.
export default defineConfig({
  test: {
    include: ['test/ops/**/*.test.ts'],
    globalSetup: ['test/ops/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
