// Anchor: the raw OpenTelemetry NodeSDK with the same instrumentations as ours (the curated set, through the
// same loader hook), AlwaysOn, one stock BatchSpanProcessor and the same OTLP http/protobuf exporter. The gap
// between this and ours is what the layer itself (sampler, propagator, scope bridge, redaction, Sentry) costs.
// BENCH_BSP=ours swaps in the layer's batch settings, for the export-under-load row only. BENCH_RAW_RATIO=0.1
// samples a share of the traces (parent-based trace-id ratio), the SDK's own counterpart of our rate 0.1.
import { register } from 'node:module';
import { dirname } from 'node:path';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { createInstrumentations } from '../../dist/src/telemetry/otel/instrumentations.js';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
const url = process.env.BENCH_OTLP_URL;
if (!url) throw new Error('BENCH_OTLP_URL is not set');
const appDir = process.argv[1] ? dirname(process.argv[1]) : process.cwd();
const sdk = new NodeSDK({
  sampler: process.env.BENCH_RAW_RATIO
    ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(Number(process.env.BENCH_RAW_RATIO)) })
    : new AlwaysOnSampler(),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  instrumentations: await createInstrumentations('default', appDir),
  metricReaders: [],
  logRecordProcessors: [],
});
sdk.start();
// The same ESM patching step as ours, so named node:http imports are traced alike.
await import('node:http');
await import('node:https');
