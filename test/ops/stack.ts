// The ops pipeline on loopback: a fake Sentry, an OTLP/gRPC receiver standing in for Jaeger v2, two gateways
// (gateway.yaml) and an agent (agent.yaml) load-balancing over them, all on the real Collector binary.
import { startFakeSentry, startOtlpGrpcReceiver, type FakeSentry, type OtlpGrpcReceiver } from '../kit/index.js';
import { freePort, startCollector, type CollectorProcess } from './collector-process.js';
import { startJaeger, type JaegerProcess } from './jaeger.js';
import { scrape, type Sample } from './prometheus-text.js';

export interface OpsStack {
  sentry: FakeSentry;
  /** Stands in for Jaeger v2 (same OTLP/gRPC ingest as Jaeger's 4317) unless `realJaeger` runs. */
  jaeger: OtlpGrpcReceiver;
  /** The real Jaeger v2, when started with `jaegerBin`: the gateways then export to it instead. */
  realJaeger?: JaegerProcess;
  collectors: CollectorProcess[];
  metricsUrls: string[];
  agentHttpPort: number;
  agentGrpcPort: number;
  scrapeAll(): Promise<Sample[]>;
  logs(): string;
  stop(): Promise<void>;
}

export async function startOpsStack(otelcol: string, options: { jaegerBin?: string } = {}): Promise<OpsStack> {
  const sentry = await startFakeSentry();
  const jaeger = await startOtlpGrpcReceiver();
  const realJaeger = options.jaegerBin ? await startJaeger(options.jaegerBin) : undefined;
  const jaegerEndpoint = realJaeger ? realJaeger.otlpGrpcEndpoint : `127.0.0.1:${jaeger.port}`;
  process.stderr.write(
    realJaeger
      ? `[ops] Jaeger: the real Jaeger v2 (${options.jaegerBin}) at ${jaegerEndpoint}\n`
      : `[ops] Jaeger: an OTLP/gRPC receiver (test/kit) stands in for Jaeger v2 at ${jaeger.url}\n`,
  );
  const collectors: CollectorProcess[] = [];
  const metricsUrls: string[] = [];
  const stop = async (): Promise<void> => {
    for (const collector of [...collectors].reverse()) await collector.stop();
    await realJaeger?.stop();
    await sentry.close();
    await jaeger.close();
  };
  try {
    const gatewayPorts: number[] = [];
    for (const name of ['gateway-1', 'gateway-2']) {
      const [grpc, http, health, prom, self] = [
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
        await freePort(),
      ];
      gatewayPorts.push(grpc);
      metricsUrls.push(`http://127.0.0.1:${prom}/metrics`);
      collectors.push(
        await startCollector({
          bin: otelcol,
          name,
          config: 'gateway.yaml',
          healthPort: health,
          env: {
            GATEWAY_NAME: name,
            GATEWAY_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
            GATEWAY_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
            GATEWAY_HEALTH_ENDPOINT: `127.0.0.1:${health}`,
            GATEWAY_PROMETHEUS_ENDPOINT: `127.0.0.1:${prom}`,
            COLLECTOR_TELEMETRY_HOST: '127.0.0.1',
            COLLECTOR_TELEMETRY_PORT: String(self),
            SENTRY_OTLP_TRACES_URL: sentry.otlpTracesUrl,
            SENTRY_OTLP_LOGS_URL: sentry.otlpLogsUrl,
            SENTRY_OTLP_AUTH: sentry.otlpTracesHeaders['X-Sentry-Auth']!,
            JAEGER_OTLP_ENDPOINT: jaegerEndpoint,
            TAIL_SAMPLING_DECISION_WAIT: '2s',
            TAIL_SAMPLING_BASELINE_PERCENT: '10',
            SPANMETRICS_FLUSH_INTERVAL: '1s',
          },
        }),
      );
    }
    const [grpc, http, health, self] = [await freePort(), await freePort(), await freePort(), await freePort()];
    collectors.push(
      await startCollector({
        bin: otelcol,
        name: 'agent',
        config: 'agent.yaml',
        healthPort: health,
        env: {
          GATEWAY_ENDPOINTS: `[${gatewayPorts.map((p) => `127.0.0.1:${p}`).join(', ')}]`,
          AGENT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpc}`,
          AGENT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${http}`,
          AGENT_HEALTH_ENDPOINT: `127.0.0.1:${health}`,
          COLLECTOR_TELEMETRY_HOST: '127.0.0.1',
          COLLECTOR_TELEMETRY_PORT: String(self),
        },
      }),
    );
    return {
      sentry,
      jaeger,
      ...(realJaeger ? { realJaeger } : {}),
      collectors,
      metricsUrls,
      agentHttpPort: http,
      agentGrpcPort: grpc,
      scrapeAll: async () => (await Promise.all(metricsUrls.map((url) => scrape(url)))).flat(),
      logs: () =>
        [...collectors, ...(realJaeger ? [realJaeger] : [])]
          .map((c) => `--- ${c.name}\n${c.logs().slice(-4000)}`)
          .join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
