// What the benchmark scripts share: the span receiver, pinned to the load generator's CPU, the two
// configurations every one of them compares, ours and the raw SDK anchor, pointed at it, and the rotation of
// interleaved runs. One definition, so `npm run bench` and `npm run bench:calls` always measure alike.
import { join } from 'node:path';
import { LOAD_CPU, childEnv, spawnPinned, waitForLine } from './proc.mjs';

/** Starts bench/lib/receiver.mjs (OTLP/HTTP and a fake Sentry on one port); `control` asks its control port. */
export async function startReceiver() {
  const child = spawnPinned(LOAD_CPU, process.execPath, ['bench/lib/receiver.mjs'], childEnv({}));
  const [line] = await waitForLine(child, /\{.*\}\n/);
  const { sinkPort, controlPort } = JSON.parse(line);
  const at = (prefix) => ({
    sinkUrl: `http://127.0.0.1:${sinkPort}${prefix}`,
    dsn: `http://benchkey@127.0.0.1:${sinkPort}${prefix}/1`,
  });
  return {
    ...at(''),
    // The same receiver under `/c/<tag>`: what a sender pointed there sends is also counted apart (stats byTag),
    // so several servers' spans per request can be counted at once. A Sentry DSN's path precedes `/api/`.
    at: (tag) => at(`/c/${tag}`),
    control: async (path) => (await fetch(`http://127.0.0.1:${controlPort}${path}`)).json(),
  };
}

export const OURS_ARGS = ['--import', './dist/instrumentation/register.js'];

/** Ours: Sentry (errors) at the receiver's fake ingest, spans over OTLP http/protobuf unless `exporters` says. */
export function oursEnv(receiver, rate, exporters = 'otlp') {
  return {
    SENTRY_DSN: receiver.dsn,
    TELEMETRY_EXPORTERS: exporters,
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.sinkUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    SENTRY_TRACES_SAMPLE_RATE: String(rate),
    OTEL_SERVICE_NAME: 'bench',
  };
}

/** The raw OpenTelemetry SDK anchor (bench/anchors/raw-sdk.mjs). */
export function rawAnchor(receiver) {
  return {
    args: ['--import', './bench/anchors/raw-sdk.mjs'],
    env: { BENCH_OTLP_URL: `${receiver.sinkUrl}/v1/traces` },
  };
}

/** Sentry for errors with its own OpenTelemetry pipeline for spans (bench/anchors/sentry-own-pipeline.mjs). */
export function sentryOwnAnchor(receiver) {
  return {
    args: ['--import', './bench/anchors/sentry-own-pipeline.mjs'],
    env: { SENTRY_DSN: receiver.dsn, BENCH_OTLP_URL: `${receiver.sinkUrl}/v1/traces` },
  };
}

// On the ingest path the service's user, tag, context, breadcrumb and capture calls go to @sentry/node directly.
export const SENTRY_CALLS_ARGS = ['--import', './bench/apps/sentry-calls.mjs'];

/** The apps the HTTP rows load, with the environment each server needs (`dir` holds its files, `id` names them). */
export const APPS = {
  express: {
    label: 'minimal express route (GET /hello)',
    script: 'bench/apps/express-min.mjs',
    path: '/hello',
    env: () => ({}),
  },
  ingest: {
    label: 'support ingest path (POST /api/ingest-message)',
    script: 'examples/support-service/dist/main.js',
    path: '/api/ingest-message',
    lua: 'bench/workloads/ingest.lua',
    request: {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'dev-key-empresa-001' },
      body: '{"channel":"web","text":"My invoice shows a double charge, can you refund it?","external_user_id":"u1"}',
    },
    env: (dir, id) => ({
      DATABASE_PATH: join(dir, `${id}.db`),
      PORT: '0',
      HOST: '127.0.0.1',
      ESCALATION_RETRY_INTERVAL_MS: '0',
    }),
  },
};

/**
 * `list` started at its `by`-th entry (modulo its length): interleaved runs rotate the order each run, so no
 * configuration always follows the same neighbour.
 */
export function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}
