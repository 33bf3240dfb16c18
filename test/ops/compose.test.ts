// Static validation of docker-compose.yml (there is no Docker engine on the build machines): every file it
// references exists, every variable is documented in .env.example, and ports and service names agree with the
// Collector configs and prometheus.yml.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectorDir, opsDir, repoRoot } from './binaries.js';

type Loose = Record<string, unknown>;

interface ComposeService {
  build?: { context: string; dockerfile?: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

const read = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');
const composeText = read('ops/docker-compose.yml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService>; volumes?: Loose };
const services = compose.services;
const envExample = read('ops/.env.example');
const documented = new Set([...envExample.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
const collectorConfigs = ['agent.yaml', 'gateway.yaml'] as const;
const configText = (name: string): string => readFileSync(path.join(collectorDir, name), 'utf8');

/** `${env:NAME:-default}` defaults of a Collector config. */
function envDefaults(text: string): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const m of text.matchAll(/\$\{env:([A-Z0-9_]+)(?::-([^}]*))?\}/g)) defaults.set(m[1]!, m[2] ?? '');
  return defaults;
}

/** The value a Collector service sees for NAME: compose environment first, else the config's default. */
function effective(service: ComposeService, config: string, name: string): string {
  const fromCompose = service.environment?.[name];
  if (fromCompose !== undefined && fromCompose !== null) return String(fromCompose);
  const fallback = envDefaults(configText(config)).get(name);
  if (fallback === undefined) throw new Error(`${config} does not read ${name}`);
  return fallback;
}

function hostPort(endpoint: string): { host: string; port: number } {
  const m = /^(?:[a-z]+:\/\/)?([^:/]+):(\d+)\/?$/.exec(endpoint.trim());
  if (!m) throw new Error(`not host:port: ${endpoint}`);
  return { host: m[1]!, port: Number(m[2]) };
}

/** Which Collector config a service runs (from its --config flag), or undefined for non-Collector services. */
function collectorConfigOf(service: ComposeService): string | undefined {
  const flag = service.command?.find((arg) => arg.startsWith('--config='));
  return flag ? path.basename(flag.slice('--config='.length)) : undefined;
}

const gateways = Object.entries(services).filter(([, s]) => collectorConfigOf(s) === 'gateway.yaml');
const agents = Object.entries(services).filter(([, s]) => collectorConfigOf(s) === 'agent.yaml');

describe('docker-compose.yml', () => {
  it('has the app, one agent, two gateways, Jaeger and Prometheus', () => {
    expect(Object.keys(services).sort()).toEqual(['agent', 'app', 'gateway-1', 'gateway-2', 'jaeger', 'prometheus']);
    expect(agents.map(([name]) => name)).toEqual(['agent']);
    expect(gateways.map(([name]) => name)).toEqual(['gateway-1', 'gateway-2']);
  });

  it('references only files that exist (build contexts, Dockerfiles, bind mounts, COPY sources)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) {
        const context = path.join(opsDir, service.build.context);
        expect(statSync(context).isDirectory(), `${name}: build context ${context}`).toBe(true);
        const dockerfile = path.join(context, service.build.dockerfile ?? 'Dockerfile');
        expect(existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
        // Every COPY source (outside multi-stage --from copies) exists in the build context.
        for (const m of readFileSync(dockerfile, 'utf8').matchAll(/^COPY\s+(?!--from)(.+)$/gm)) {
          const parts = m[1]!.trim().split(/\s+/);
          for (const source of parts.slice(0, -1)) {
            expect(existsSync(path.join(context, source)), `${name}: COPY ${source} in ${dockerfile}`).toBe(true);
          }
        }
      } else {
        expect(service.image, `${name} has neither build nor image`).toBeTruthy();
      }
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.') || source.startsWith('/')) {
          expect(existsSync(path.join(opsDir, source)), `${name}: bind mount ${source}`).toBe(true);
        } else {
          expect(compose.volumes && source in compose.volumes, `${name}: named volume ${source} is declared`).toBe(
            true,
          );
        }
      }
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on unknown service ${dependency}`).toBeDefined();
      }
    }
  });

  it('runs each Collector with the config file mounted where its --config flag points', () => {
    for (const [name, service] of [...agents, ...gateways]) {
      const flag = service.command!.find((arg) => arg.startsWith('--config='))!.slice('--config='.length);
      const mount = service.volumes?.find((volume) => volume.split(':')[1] === flag);
      expect(mount, `${name} mounts ${flag}`).toBeDefined();
      expect(path.basename(mount!.split(':')[0]!)).toBe(path.basename(flag));
    }
  });

  it('documents in .env.example every variable that compose and the Collector configs read, and no other', () => {
    const used = new Set<string>();
    for (const m of composeText.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) used.add(m[1]!);
    for (const config of collectorConfigs) for (const name of envDefaults(configText(config)).keys()) used.add(name);
    const missing = [...used].filter((name) => !documented.has(name)).sort();
    expect(missing, 'variables missing from .env.example').toEqual([]);
    const stale = [...documented].filter((name) => !used.has(name)).sort();
    expect(stale, 'variables in .env.example that nothing reads').toEqual([]);
  });

  it('points the agent at every gateway on the port its OTLP/gRPC receiver listens on', () => {
    const [agentName, agent] = agents[0]!;
    const endpoints = parse(effective(agent, 'agent.yaml', 'GATEWAY_ENDPOINTS')) as string[];
    expect(Array.isArray(endpoints), `${agentName}: GATEWAY_ENDPOINTS is a YAML list`).toBe(true);
    const targets = endpoints.map(hostPort);
    expect(targets.map((t) => t.host).sort()).toEqual(gateways.map(([name]) => name).sort());
    for (const target of targets) {
      const gateway = services[target.host]!;
      expect(target.port).toBe(hostPort(effective(gateway, 'gateway.yaml', 'GATEWAY_OTLP_GRPC_ENDPOINT')).port);
    }
    // The agent config's own default names the same gateways.
    const fallback = (parse(envDefaults(configText('agent.yaml')).get('GATEWAY_ENDPOINTS')!) as string[]).sort();
    expect(fallback).toEqual([...endpoints].sort());
  });

  it('sends the app to the agent OTLP/HTTP receiver and the gateways to Jaeger OTLP/gRPC', () => {
    const app = services['app']!;
    const appEnv = app.environment!;
    const otlp = new URL(String(appEnv['OTEL_EXPORTER_OTLP_ENDPOINT']));
    expect(services[otlp.hostname], 'the app exports to a compose service').toBeDefined();
    expect(collectorConfigOf(services[otlp.hostname]!)).toBe('agent.yaml');
    expect(Number(otlp.port)).toBe(
      hostPort(effective(services['agent']!, 'agent.yaml', 'AGENT_OTLP_HTTP_ENDPOINT')).port,
    );
    expect(appEnv['OTEL_EXPORTER_OTLP_PROTOCOL']).toBe('http/protobuf');
    expect(appEnv['TELEMETRY_EXPORTERS']).toBe('otlp');
    for (const [name, gateway] of gateways) {
      const jaeger = hostPort(effective(gateway, 'gateway.yaml', 'JAEGER_OTLP_ENDPOINT'));
      expect(jaeger.host, `${name} exports to the jaeger service`).toBe('jaeger');
      expect(services['jaeger']!.image).toMatch(/^jaegertracing\/jaeger:/);
      expect(jaeger.port, 'Jaeger v2 takes OTLP/gRPC on 4317').toBe(4317);
      expect(gateway.environment?.['SENTRY_OTLP_TRACES_URL']).toMatch(/\$\{SENTRY_OTLP_TRACES_URL:\?/);
      expect(gateway.environment?.['SENTRY_OTLP_AUTH']).toMatch(/\$\{SENTRY_OTLP_AUTH:\?/);
    }
    const names = gateways.map(([, g]) => g.environment?.['GATEWAY_NAME']);
    expect(new Set(names).size, 'each gateway labels its metrics with its own name').toBe(gateways.length);
  });

  it('publishes container ports that the services listen on', () => {
    const published = (service: ComposeService): number[] =>
      (service.ports ?? []).map((p) => Number(p.split(':').pop()));
    const agent = services['agent']!;
    expect(published(agent).sort()).toEqual(
      [
        hostPort(effective(agent, 'agent.yaml', 'AGENT_OTLP_GRPC_ENDPOINT')).port,
        hostPort(effective(agent, 'agent.yaml', 'AGENT_OTLP_HTTP_ENDPOINT')).port,
      ].sort(),
    );
    expect(published(services['app']!)).toEqual([Number(services['app']!.environment!['PORT'])]);
    expect(published(services['jaeger']!)).toEqual([16686]);
    expect(published(services['prometheus']!)).toEqual([9090]);
  });

  it('health-checks every Collector on the port of its health_check extension', () => {
    for (const [name, service] of [...agents, ...gateways]) {
      const config = collectorConfigOf(service)!;
      const variable = config === 'agent.yaml' ? 'AGENT_HEALTH_ENDPOINT' : 'GATEWAY_HEALTH_ENDPOINT';
      const port = hostPort(effective(service, config, variable)).port;
      const url = service.healthcheck?.test.find((arg) => arg.startsWith('http://'));
      expect(url, `${name} has an HTTP health check`).toBeDefined();
      expect(Number(new URL(url!).port), `${name} health check port`).toBe(port);
    }
    expect(services['app']!.healthcheck?.test.join(' ')).toContain('/api/health');
    expect(services['prometheus']!.healthcheck?.test.join(' ')).toContain('/-/healthy');
  });

  it('has Prometheus scrape every gateway metrics port and load the alert rules it mounts', () => {
    const prometheus = parse(readFileSync(path.join(collectorDir, 'prometheus.yml'), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prometheus.scrape_configs.find((c) => c.job_name === 'otel-gateways')!;
    const targets = job.static_configs.flatMap((c) => c.targets).map(hostPort);
    expect(targets.map((t) => t.host).sort()).toEqual(gateways.map(([name]) => name).sort());
    for (const target of targets) {
      expect(target.port).toBe(
        hostPort(effective(services[target.host]!, 'gateway.yaml', 'GATEWAY_PROMETHEUS_ENDPOINT')).port,
      );
    }
    const mounts = services['prometheus']!.volumes!.map((v) => v.split(':'));
    for (const ruleFile of prometheus.rule_files) {
      const mount = mounts.find((m) => m[1] === ruleFile);
      expect(mount, `rule file ${ruleFile} is mounted`).toBeDefined();
      expect(path.basename(mount![0]!)).toBe('alerts.yml');
    }
  });

  it('starts the service with the bootstrap, as the Dockerfile CMD', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/^FROM node:24-slim/m);
    expect(dockerfile).toMatch(/npm ci/);
    expect(dockerfile).toContain('CMD ["node", "--import", "otel-sentry-bridge/register", "dist/main.js"]');
  });
});
