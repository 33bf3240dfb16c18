// Anchor: Sentry v11.1 in its own tracing mode with its own profiling, as its docs set it up: continuous
// profiling with the trace lifecycle when BENCH_SENTRY_PROFILING=1, none otherwise. Loaded from this folder, so
// it gets this folder's pinned @sentry/node 11.1.0, never the project's 11.12.
import * as Sentry from '@sentry/node';
import { nodeProfilingIntegration } from '@sentry/profiling-node';

const profiling = process.env.BENCH_SENTRY_PROFILING === '1';
Sentry.init({
  dsn: process.env.SENTRY_DSN,
  tracesSampleRate: 1.0,
  ...(profiling
    ? { integrations: [nodeProfilingIntegration()], profileSessionSampleRate: 1.0, profileLifecycle: 'trace' }
    : {}),
});
