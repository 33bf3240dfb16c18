#!/usr/bin/env node
// The second build step (after tsc, which emits the declarations and checks the types): the layer's ES modules
// bundled into a few files, since Node's ES loader resolves, loads and links each module on its own and about a
// hundred of them cost the start-up of every app (docs/benchmarks.md, "Start-up: where it goes").
// - One split build of every entry a process of the layer can load: the entries share their chunks, so a process
//   that loads `register` and the public API (or the bench's lifecycle/start.js) holds one copy of each module,
//   and the rooms imported with `await import()` (profiling, logs) stay separate chunks, loaded when they start.
// - The CLI is its own process: a split build of its own, so its modules do not split the layer's chunks further.
// - Every dependency stays external: the app's own @opentelemetry/* and @sentry/* are used, resolved from the
//   package's folder as before.
// Then tsc's per-module JavaScript is removed; its declarations stay for the exports map's types.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

const common = {
  absWorkingDir: root,
  outdir: dist,
  outbase: '.',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};

/** Every file esbuild writes, relative to dist/, so that tsc's JavaScript beside them can go. */
const kept = new Set(['instrumentation/register-require.cjs', 'instrumentation/register-require.cjs.map']);

async function bundle(options) {
  const result = await build({ ...common, metafile: true, ...options });
  for (const file of Object.keys(result.metafile.outputs)) kept.add(path.relative(dist, path.join(root, file)));
}

// Chunks sit four levels below the package root, like the modules they hold did (dist/src/telemetry/<room>/).
rmSync(path.join(dist, 'src/telemetry/chunks'), { recursive: true, force: true });
await bundle({
  entryPoints: [
    'instrumentation/register.ts',
    'instrumentation/sentry-cjs-hook.ts',
    'src/telemetry/index.ts',
    // Imported by register with `await import()`, and by tests and the bench by these paths.
    'src/telemetry/config/index.ts',
    'src/telemetry/lifecycle/start.ts',
    // The bench's anchors take the curated instrumentation set without the rest of the layer.
    'src/telemetry/otel/instrumentations.ts',
  ],
  splitting: true,
  chunkNames: 'src/telemetry/chunks/[name]-[hash]',
});
// Split too: doctor imports its send tests (and through them the SDK) with `await import()`, so that a broken
// install (a missing peer, mixed lines) still gets its report; a single file would hoist those imports to its top.
rmSync(path.join(dist, 'src/cli/chunks'), { recursive: true, force: true });
await bundle({ entryPoints: ['src/cli/main.ts'], splitting: true, chunkNames: 'src/cli/chunks/[name]-[hash]' });

for (const dir of ['src', 'instrumentation']) {
  for (const entry of readdirSync(path.join(dist, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.(c?js)(\.map)?$/.test(entry.name)) continue;
    const file = path.relative(dist, path.join(entry.parentPath, entry.name));
    if (!kept.has(file)) rmSync(path.join(dist, file));
  }
}
