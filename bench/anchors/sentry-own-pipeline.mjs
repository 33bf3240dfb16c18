// Anchor: "Sentry with your own OpenTelemetry pipeline", as Sentry v11's docs set it up: Sentry.init with its
// default integrations plus openTelemetryIntegration() and no tracing options (errors land on the active
// OpenTelemetry span), and the app's own NodeTracerProvider with the same instrumentations as ours, AlwaysOn and
// one stock BatchSpanProcessor exporting OTLP http/protobuf to the same receiver. It does less than ours (no
// Sentry sampling rules, no DSC, no scope attributes on spans): that is what a user trades for it.
// The order is the one docs/architecture.md's pitfalls give: @sentry/node imported before the loader hook, init after the provider.
import * as Sentry from '@sentry/node';
import { register } from 'node:module';
import { dirname } from 'node:path';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { AlwaysOnSampler, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { createInstrumentations } from '../../dist/src/telemetry/otel/instrumentations.js';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const url = process.env.BENCH_OTLP_URL;
if (!url) throw new Error('BENCH_OTLP_URL is not set');
const appDir = process.argv[1] ? dirname(process.argv[1]) : process.cwd();
const provider = new NodeTracerProvider({
  sampler: new AlwaysOnSampler(),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
});
provider.register();
registerInstrumentations({ instrumentations: await createInstrumentations('default', appDir) });
Sentry.init({ dsn: process.env.SENTRY_DSN, integrations: [Sentry.openTelemetryIntegration()] });
// The same ESM patching step as ours, so named node:http imports are traced alike.
await import('node:http');
await import('node:https');
