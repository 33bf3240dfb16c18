/**
 * The collector endpoint mistakes a new user makes first: the full traces URL in the base variable (the exporter
 * appends /v1/traces once more), and the gRPC and HTTP ports swapped (4317 is OTLP/gRPC, 4318 OTLP/HTTP), which
 * otherwise shows only as a connection that answers nonsense.
 */
import { maskUrl } from '../../telemetry/config/masking.js';
import type { TelemetryConfig } from '../../telemetry/common/types.js';
import { check, type CheckResult } from './types.js';

const GRPC_PORT = '4317';
const HTTP_PORT = '4318';

function portOf(raw: string): string | undefined {
  try {
    return new URL(raw).port;
  } catch {
    return undefined;
  }
}

export function otlpEndpointCheck(env: NodeJS.ProcessEnv, config: TelemetryConfig): CheckResult {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const url = config.otlp.tracesUrl;
  if (url === undefined || !config.exporters.includes('otlp')) {
    return check('otlp.endpoint', 'ok', 'no collector endpoint in use');
  }
  if (
    base &&
    !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() &&
    config.otlp.protocol !== 'grpc' &&
    /\/v1\/traces\/?$/.test(base)
  ) {
    return check(
      'otlp.endpoint',
      'fail',
      `OTEL_EXPORTER_OTLP_ENDPOINT ends in /v1/traces: spans would go to ${maskUrl(url)}`,
      {
        fix:
          'OTEL_EXPORTER_OTLP_ENDPOINT is the base URL and the exporter appends /v1/traces: set it to ' +
          `${maskUrl(base.replace(/\/v1\/traces\/?$/, ''))}, or put the full URL in OTEL_EXPORTER_OTLP_TRACES_ENDPOINT.`,
      },
    );
  }
  const port = portOf(url);
  if (config.otlp.protocol === 'grpc' && port === HTTP_PORT) {
    return check('otlp.endpoint', 'warn', `gRPC to port ${HTTP_PORT}, the OTLP/HTTP port (4317 vs 4318?)`, {
      fix: `Collectors take OTLP/gRPC on ${GRPC_PORT} and OTLP/HTTP on ${HTTP_PORT}: use port ${GRPC_PORT}, or OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf.`,
    });
  }
  if (config.otlp.protocol !== 'grpc' && port === GRPC_PORT) {
    return check(
      'otlp.endpoint',
      'warn',
      `${config.otlp.protocol} to port ${GRPC_PORT}, the OTLP/gRPC port (4317 vs 4318?)`,
      {
        fix: `Collectors take OTLP/HTTP on ${HTTP_PORT} and OTLP/gRPC on ${GRPC_PORT}: use port ${HTTP_PORT}, or OTEL_EXPORTER_OTLP_PROTOCOL=grpc.`,
      },
    );
  }
  return check('otlp.endpoint', 'ok', `spans go to ${maskUrl(url)} (${config.otlp.protocol})`);
}
