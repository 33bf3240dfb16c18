// Rewrites package.json files in a scratch copy of the checkout to the OpenTelemetry JS 3.x line (api 1.10,
// core/sdk-trace 3.1, instrumentations 0.301), for .ci/run's Node 24 stage. The repository's lock file stays on
// the 2.x line that runs on Node 20; the copy gets a fresh `npm install` of these versions.
import { readFileSync, writeFileSync } from 'node:fs';

const LINE_3X = {
  '@opentelemetry/api': '1.10.0',
  '@opentelemetry/context-async-hooks': '3.1.1',
  '@opentelemetry/core': '3.1.1',
  '@opentelemetry/resources': '3.1.1',
  '@opentelemetry/sdk-trace': '3.1.1',
  '@opentelemetry/exporter-trace-otlp-grpc': '0.301.2',
  '@opentelemetry/exporter-trace-otlp-http': '0.301.2',
  '@opentelemetry/exporter-trace-otlp-proto': '0.301.2',
  '@opentelemetry/otlp-exporter-base': '0.301.2',
  '@opentelemetry/otlp-transformer': '0.301.2',
  '@opentelemetry/instrumentation': '0.301.2',
  '@opentelemetry/instrumentation-http': '0.301.2',
  '@opentelemetry/sdk-node': '0.301.2',
  '@opentelemetry/auto-instrumentations-node': '^0.82.0',
  '@opentelemetry/instrumentation-express': '^0.72.0',
  '@opentelemetry/instrumentation-undici': '^0.34.0',
  '@opentelemetry/instrumentation-ioredis': '^0.72.0',
  '@opentelemetry/instrumentation-mongodb': '^0.77.0',
  '@opentelemetry/instrumentation-mysql2': '^0.70.0',
  '@opentelemetry/instrumentation-openai': '^0.22.0',
  '@opentelemetry/instrumentation-pg': '^0.78.0',
  '@opentelemetry/instrumentation-pino': '^0.70.0',
  '@opentelemetry/instrumentation-redis': '^0.72.0',
  '@opentelemetry/instrumentation-winston': '^0.69.0',
};

for (const file of process.argv.slice(2)) {
  const pkg = JSON.parse(readFileSync(file, 'utf8'));
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(pkg[field] ?? {})) {
      if (LINE_3X[name]) pkg[field][name] = LINE_3X[name];
    }
  }
  if (pkg.peerDependencies?.['@opentelemetry/api']) pkg.peerDependencies['@opentelemetry/api'] = '>=1.9.0 <1.11.0';
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
}
