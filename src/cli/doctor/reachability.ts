/**
 * Reachability of the backends the configuration names: Sentry's envelope endpoint (errors and logs), Sentry's
 * OTLP endpoint and the collector (spans), the collector's logs endpoint. Each probe sends an empty but valid request with the credentials the
 * layer would use, so a wrong key or project shows up here and not as silently missing data.
 */
import { getOtlpTracesEndpoint } from '../../telemetry/common/sentry-node.js';
import { maskUrl } from '../../telemetry/config/masking.js';
import type { ParsedDsn, TelemetryConfig } from '../../telemetry/common/types.js';
import { describeFailure, probeConnect, probeHttp, TLS_FIX, type ProbeOutcome } from './http-probe.js';
import { check, type CheckResult } from './types.js';

/** Sentry's envelope URL without the key: `<scheme>://<host>[:port][/path]/api/<project>/envelope/`. */
export function envelopeUrl(dsn: ParsedDsn): string {
  const port = dsn.port ? `:${dsn.port}` : '';
  const path = dsn.path ? `/${dsn.path}` : '';
  return `${dsn.protocol}://${dsn.host}${port}${path}/api/${dsn.projectId}/envelope/`;
}

export function sentryAuthHeader(dsn: ParsedDsn): string {
  return `Sentry sentry_version=7, sentry_key=${dsn.publicKey}, sentry_client=otel-sentry-bridge-doctor`;
}

/** Turns an HTTP outcome into a check. `what` names the endpoint; `acceptedBy` what a 2xx proves. */
function judge(id: string, what: string, shownUrl: string, outcome: ProbeOutcome, timeoutMs: number): CheckResult {
  if (outcome.kind !== 'answer') {
    const reason = describeFailure(outcome, timeoutMs);
    const tls = reason.startsWith('TLS');
    return check(id, 'fail', `${what} ${shownUrl} unreachable: ${reason}`, {
      fix: tls ? TLS_FIX : `Check the URL, DNS, proxies and firewalls between this host and ${new URL(shownUrl).host}.`,
    });
  }
  const { status } = outcome;
  if (status === 0 || (status >= 200 && status < 300)) {
    return check(id, 'ok', `${what} ${shownUrl} reachable${status ? ` (HTTP ${status})` : ' (TCP/TLS connect)'}`);
  }
  if (status === 401 || status === 403) {
    return check(id, 'fail', `${what} ${shownUrl} refused the credentials (HTTP ${status})`, {
      fix: id.startsWith('reach.sentry')
        ? 'The DSN key or project is wrong or disabled: copy the DSN again from the project settings.'
        : 'Check OTEL_EXPORTER_OTLP_HEADERS (the collector wants other credentials).',
    });
  }
  if (status === 429) {
    const after = outcome.retryAfter ? `, Retry-After ${outcome.retryAfter} s` : '';
    return check(id, 'warn', `${what} ${shownUrl} is rate limiting (HTTP 429${after})`, {
      fix: 'Spans or events are being dropped: lower the sample rate or raise the quota.',
    });
  }
  if (status >= 500) {
    return check(id, 'fail', `${what} ${shownUrl} answers HTTP ${status}`, {
      fix: 'The backend is failing: check its health and logs; the layer drops what it cannot send and says so once a minute.',
    });
  }
  return check(id, 'fail', `${what} ${shownUrl} answers HTTP ${status}`, {
    fix:
      status === 404
        ? 'Wrong path: OTEL_EXPORTER_OTLP_ENDPOINT is the base URL (/v1/traces and /v1/logs are appended).'
        : 'Check the URL.',
  });
}

export async function reachabilityChecks(config: TelemetryConfig, timeoutMs: number): Promise<CheckResult[]> {
  const probes: Array<Promise<CheckResult>> = [];
  const dsn = config.sentry.dsn;
  if (dsn) {
    const url = envelopeUrl(dsn);
    probes.push(
      probeHttp({
        url,
        method: 'POST',
        // An envelope with headers and no item: accepted and ignored by Sentry, refused on a wrong key.
        body: '{}\n',
        headers: { 'content-type': 'application/x-sentry-envelope', 'x-sentry-auth': sentryAuthHeader(dsn) },
        timeoutMs,
      }).then((outcome) => judge('reach.sentry.envelope', 'Sentry envelope endpoint', url, outcome, timeoutMs)),
    );
  }
  if (dsn && config.exporters.includes('sentry') && !config.tracingDisabled) {
    const endpoint = getOtlpTracesEndpoint(dsn.raw);
    if (endpoint) {
      probes.push(
        // An empty ExportTraceServiceRequest is zero bytes of protobuf.
        probeHttp({
          url: endpoint.url,
          method: 'POST',
          body: new Uint8Array(0),
          headers: { ...endpoint.headers, 'content-type': 'application/x-protobuf' },
          timeoutMs,
        }).then((outcome) => judge('reach.sentry.otlp', 'Sentry OTLP endpoint', endpoint.url, outcome, timeoutMs)),
      );
    }
  }
  const collector = config.otlp.tracesUrl;
  if (collector && config.exporters.includes('otlp') && !config.tracingDisabled) {
    const shown = maskUrl(collector);
    const probe =
      config.otlp.protocol === 'grpc'
        ? probeConnect(collector, timeoutMs)
        : probeHttp({
            url: collector,
            method: 'POST',
            ...(config.otlp.protocol === 'http/json'
              ? { body: '{}', headers: { ...config.otlp.headers, 'content-type': 'application/json' } }
              : {
                  body: new Uint8Array(0),
                  headers: { ...config.otlp.headers, 'content-type': 'application/x-protobuf' },
                }),
            timeoutMs,
          });
    probes.push(
      probe.then((outcome) =>
        judge('reach.collector', `collector (${config.otlp.protocol})`, shown, outcome, timeoutMs),
      ),
    );
  }
  const logs = config.logs.otlp;
  if (logs.url && config.logs.level !== 'off' && config.exporters.includes('otlp')) {
    const shown = maskUrl(logs.url);
    // An empty ExportLogsServiceRequest, as for traces.
    const probe =
      logs.protocol === 'grpc'
        ? probeConnect(logs.url, timeoutMs)
        : probeHttp({
            url: logs.url,
            method: 'POST',
            ...(logs.protocol === 'http/json'
              ? { body: '{}', headers: { ...logs.headers, 'content-type': 'application/json' } }
              : { body: new Uint8Array(0), headers: { ...logs.headers, 'content-type': 'application/x-protobuf' } }),
            timeoutMs,
          });
    probes.push(
      probe.then((outcome) =>
        judge('reach.collector.logs', `collector logs (${logs.protocol})`, shown, outcome, timeoutMs),
      ),
    );
  }
  return Promise.all(probes);
}
