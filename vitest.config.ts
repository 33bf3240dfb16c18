import { defineConfig } from 'vitest/config';

// End-to-end tests start child processes and real servers on loopback: give them room, and run files in
// separate forks so a test's globals (OTel API registrations, Sentry clients) never leak into another file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/ops/**', 'test/consumer/**', 'node_modules/**', 'dist/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
