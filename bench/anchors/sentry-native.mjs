// Anchor: Sentry v11 in its own tracing mode, as its docs set it up (default integrations, its own
// OpenTelemetry setup and loader hook), sending transactions to the local fake Sentry.
import * as Sentry from '@sentry/node';

Sentry.init({ dsn: process.env.SENTRY_DSN, tracesSampleRate: 1.0 });
