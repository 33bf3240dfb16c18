import { defineConfig } from 'vitest/config';

// `npm run test:consumer`: the packed library installed into fresh apps (npm pack + npm install from the npm
// cache, the registry for what it lacks). Apart from `npm test` because it needs the registry and builds apps.
export default defineConfig({
  test: {
    include: ['test/consumer/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
