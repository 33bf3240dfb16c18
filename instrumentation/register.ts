/**
 * The `node --import otel-sentry-bridge/register` entry: the ESM loader hook, the verified import order, the
 * configuration, start(). Nothing else belongs here.
 */
// Sentry must be imported before the loader hook is registered: imported after it (and before the HTTP
// instrumentation exists) it double-wraps http.request, with two client spans per call and no warning. Its
// CommonJS build: the ES module graph of the same code takes about twice as long to load (sentry-node.ts).
import '../src/telemetry/common/sentry-node.js';
import { register } from 'node:module';
import {
  appDirOf,
  findSecondCopies,
  missingPeers,
  missingPeersMessage,
  secondCopyMessage,
} from '../src/telemetry/otel/api-copies.js';
import { otelLineProblem } from '../src/telemetry/otel/otel-line.js';

// Started beside a second API (or SDK) copy, the app's spans would vanish silently; without the SDK peers, or on a
// Node the installed OpenTelemetry line does not support, it would fail with a stack: refuse instead, with the
// fix. Checked before the SDK is imported (below, dynamically), so a missing peer cannot fail the import first.
const missing = missingPeers();
const lineProblem = otelLineProblem();
const problems = [
  ...(missing.length > 0 ? [missingPeersMessage(missing)] : []),
  ...findSecondCopies(appDirOf()).map(secondCopyMessage),
  ...(lineProblem === undefined ? [] : [lineProblem]),
];
if (problems.length > 0) {
  for (const problem of problems) process.stderr.write(`otel-sentry-bridge: cannot start: ${problem}\n`);
  process.exit(1);
}
const { ConfigError, loadConfig } = await import('../src/telemetry/config/index.js');
const { getTelemetry, startTelemetry } = await import('../src/telemetry/lifecycle/start.js');

// Loaded twice (two --import flags, or register plus a manual start): instrument once.
if (!getTelemetry()) {
  // Compiled TypeScript apps: stack traces (and so Sentry's frames) point at the .ts sources.
  process.setSourceMapsEnabled(true);
  try {
    const config = await loadConfig();
    // Without the hook, ESM imports of instrumented modules (express, named node:http imports) go untraced.
    // With the span side off (OTEL_SDK_DISABLED) nothing is instrumented, so no module pays for that hook. The
    // application's `import '@sentry/node'` gets the layer's CommonJS copy either way (sentry-cjs-hook.ts).
    await startTelemetry(config, {
      registerLoaderHook: () => {
        register('./sentry-cjs-hook.js', import.meta.url);
        if (!config.tracingDisabled) register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
      },
    });
  } catch (error: unknown) {
    if (error instanceof ConfigError) {
      process.stderr.write(`otel-sentry-bridge: invalid configuration:\n${error.message}\n`);
    } else {
      const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`otel-sentry-bridge: could not start telemetry: ${detail}\n`);
    }
    process.exit(1);
  }
}
