// Jaeger v2 (github.com/jaegertracing/jaeger v1.76.0, cmd/jaeger) on loopback with in-memory storage, and a
// reader of its query API, for the ops tests that run the real Jaeger.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { freePort, startCollector, type CollectorProcess } from './collector-process.js';

export interface JaegerProcess extends CollectorProcess {
  /** host:port of its OTLP/gRPC receiver (what the gateways' JAEGER_OTLP_ENDPOINT names). */
  readonly otlpGrpcEndpoint: string;
  /** Span ids of one trace as the query API returns them (empty when Jaeger does not know the trace). */
  spanIdsOf(traceId: string): Promise<Set<string>>;
}

export async function startJaeger(bin: string): Promise<JaegerProcess> {
  const [grpc, http, query, queryGrpc, health, self] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  // The stock cmd/jaeger/config.yaml, reduced to OTLP in, memory storage and the query API, all on loopback.
  const config = {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query', 'healthcheckv2'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: {
        resource: { 'service.name': 'jaeger' },
        metrics: {
          level: 'basic',
          readers: [{ pull: { exporter: { prometheus: { host: '127.0.0.1', port: self } } } }],
        },
        logs: { level: 'info' },
      },
    },
    extensions: {
      healthcheckv2: { use_v2: true, http: { endpoint: `127.0.0.1:${health}` } },
      jaeger_query: {
        storage: { traces: 'memstore' },
        http: { endpoint: `127.0.0.1:${query}` },
        grpc: { endpoint: `127.0.0.1:${queryGrpc}` },
      },
      jaeger_storage: { backends: { memstore: { memory: { max_traces: 100000 } } } },
    },
    receivers: {
      otlp: { protocols: { grpc: { endpoint: `127.0.0.1:${grpc}` }, http: { endpoint: `127.0.0.1:${http}` } } },
    },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: 'memstore' } },
  };
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'osb-jaeger-')), 'jaeger.yaml');
  writeFileSync(file, stringify(config));
  const base = `http://127.0.0.1:${query}`;
  const proc = await startCollector({
    bin,
    name: 'jaeger',
    config: file,
    args: [`--config=${file}`],
    env: {},
    healthPort: health,
    readyUrl: `${base}/api/services`,
    readyTimeoutMs: 60_000,
  });
  return {
    ...proc,
    otlpGrpcEndpoint: `127.0.0.1:${grpc}`,
    async spanIdsOf(traceId: string): Promise<Set<string>> {
      const response = await fetch(`${base}/api/traces/${traceId}`);
      if (response.status === 404) return new Set();
      if (!response.ok) throw new Error(`Jaeger query /api/traces/${traceId}: HTTP ${response.status}`);
      const body = (await response.json()) as { data?: { spans?: { spanID: string }[] }[] };
      return new Set((body.data ?? []).flatMap((t) => t.spans ?? []).map((s) => s.spanID));
    },
  };
}
