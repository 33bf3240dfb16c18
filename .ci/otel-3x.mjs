// Moves a scratch copy of the checkout to the OpenTelemetry JS 3.x line (api 1.10, core/sdk-trace 3.1,
// instrumentations 0.301), for .ci/run's Node 24 stage. The library's own dependencies and peers already admit both
// lines (npm picks the line of the Node that installs), so only the pins of the repository's development (the root
// devDependencies) and the example service's own OpenTelemetry packages are rewritten; the lock file stays on the
// 2.x line that runs on Node 20, and the copy gets a fresh `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const LINE_3X = {
  '@opentelemetry/api': '1.10.0',
  '@opentelemetry/context-async-hooks': '3.1.1',
  '@opentelemetry/core': '3.1.1',
  '@opentelemetry/resources': '3.1.1',
  '@opentelemetry/sdk-trace': '3.1.1',
  '@opentelemetry/exporter-trace-otlp-proto': '0.301.2',
  '@opentelemetry/exporter-trace-otlp-http': '0.301.2',
  '@opentelemetry/otlp-transformer': '0.301.2',
  '@opentelemetry/instrumentation': '0.301.2',
  '@opentelemetry/sdk-node': '0.301.2',
  '@opentelemetry/auto-instrumentations-node': '^0.82.0',
  // The logs side: sdk-logs is stable (3.1) on this line; there is no api-logs of the 3.x line (the logs API is
  // `logs` of @opentelemetry/api 1.10), so its 2.x pin stays, as the library's own range does.
  '@opentelemetry/sdk-logs': '3.1.1',
  '@opentelemetry/exporter-logs-otlp-grpc': '0.301.2',
  '@opentelemetry/winston-transport': '0.35.0',
};

const [root, ...apps] = process.argv.slice(2);
const rewrite = (file, fields) => {
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  for (const field of fields) {
    for (const name of Object.keys(pkg[field] ?? {})) {
      if (LINE_3X[name]) pkg[field][name] = LINE_3X[name];
    }
  }
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
};
rewrite(root, ['devDependencies']);
for (const app of apps) rewrite(app, ['dependencies', 'devDependencies']);
