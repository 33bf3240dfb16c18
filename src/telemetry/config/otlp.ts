/**
 * The collector OTLP exporters' settings, from the OTel-standard OTEL_EXPORTER_OTLP_[TRACES_|LOGS_]* variables.
 * The signal-specific variable wins over the generic one, per key for headers, as in the OTel specification.
 */
import type { OtlpConfig, OtlpLogsConfig, OtlpProtocol } from '../common/types.js';
import type { EnvReader } from './env-reader.js';
import { maskHeaderList, maskUrl } from './masking.js';

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const COMPRESSIONS = ['gzip', 'none'] as const;
const DEFAULT_TIMEOUT_MS = 10_000;
const TRACES_PATH = 'v1/traces';
const LOGS_PATH = 'v1/logs';
const HEADER_NAME = /^[!#$%&'*+.^_`|~\dA-Za-z-]+$/;

/** OTel's default endpoints, used only when OTEL_TRACES_EXPORTER asks for otlp without naming an endpoint. */
export const OTEL_DEFAULT_ENDPOINT: Record<OtlpProtocol, string> = {
  'http/protobuf': 'http://localhost:4318/v1/traces',
  'http/json': 'http://localhost:4318/v1/traces',
  grpc: 'http://localhost:4317',
};

export const OTEL_DEFAULT_LOGS_ENDPOINT: Record<OtlpProtocol, string> = {
  'http/protobuf': 'http://localhost:4318/v1/logs',
  'http/json': 'http://localhost:4318/v1/logs',
  grpc: 'http://localhost:4317',
};

const generic = (suffix: string): string => `OTEL_EXPORTER_OTLP_${suffix}`;
const traces = (suffix: string): string => `OTEL_EXPORTER_OTLP_TRACES_${suffix}`;
const logs = (suffix: string): string => `OTEL_EXPORTER_OTLP_LOGS_${suffix}`;

export interface OtlpSignals {
  traces: OtlpConfig;
  logs: OtlpLogsConfig;
}

/**
 * The traces and the logs exporter settings. Each signal's own variable wins over the generic one (per key for
 * headers); every variable is read once, so an invalid generic value is reported once.
 */
export function readOtlpSignals(reader: EnvReader): OtlpSignals {
  // Both variants are read (and so validated) even when the signal's one wins.
  const protocols = [
    reader.choice(traces('PROTOCOL'), PROTOCOLS),
    reader.choice(generic('PROTOCOL'), PROTOCOLS),
    reader.choice(logs('PROTOCOL'), PROTOCOLS),
  ];
  const compressions = [
    reader.choice(traces('COMPRESSION'), COMPRESSIONS),
    reader.choice(generic('COMPRESSION'), COMPRESSIONS),
    reader.choice(logs('COMPRESSION'), COMPRESSIONS),
  ];
  const timeouts = [
    reader.integer(traces('TIMEOUT')),
    reader.integer(generic('TIMEOUT')),
    reader.integer(logs('TIMEOUT')),
  ];
  const genericHeaders = readHeaders(reader, generic('HEADERS'));
  const base = readHttpUrl(reader, generic('ENDPOINT'));

  const protocol = protocols[0] ?? protocols[1] ?? 'http/protobuf';
  const tracesConfig: OtlpConfig = {
    headers: mergeCaseInsensitive({ ...genericHeaders, ...readHeaders(reader, traces('HEADERS')) }),
    protocol,
    timeoutMillis: timeouts[0] ?? timeouts[1] ?? DEFAULT_TIMEOUT_MS,
    compression: compressions[0] ?? compressions[1] ?? 'none',
  };
  const tracesUrl = signalUrl(readHttpUrl(reader, traces('ENDPOINT')), base, protocol, TRACES_PATH);
  if (tracesUrl !== undefined) tracesConfig.tracesUrl = tracesUrl;

  const logsProtocol = protocols[2] ?? protocols[1] ?? 'http/protobuf';
  const logsConfig: OtlpLogsConfig = {
    headers: mergeCaseInsensitive({ ...genericHeaders, ...readHeaders(reader, logs('HEADERS')) }),
    protocol: logsProtocol,
    timeoutMillis: timeouts[2] ?? timeouts[1] ?? DEFAULT_TIMEOUT_MS,
    compression: compressions[2] ?? compressions[1] ?? 'none',
  };
  const logsUrl = signalUrl(readHttpUrl(reader, logs('ENDPOINT')), base, logsProtocol, LOGS_PATH);
  if (logsUrl !== undefined) logsConfig.url = logsUrl;
  return { traces: tracesConfig, logs: logsConfig };
}

export function readOtlp(reader: EnvReader): OtlpConfig {
  return readOtlpSignals(reader).traces;
}

/** A signal's own endpoint is used as it is; the base endpoint gets the signal's path (OTel specification). */
function signalUrl(
  specific: string | undefined,
  base: string | undefined,
  protocol: OtlpProtocol,
  path: string,
): string | undefined {
  if (specific !== undefined) return specific;
  if (base === undefined) return undefined;
  // gRPC names the service in the request, not in the URL: the base endpoint is used as is.
  if (protocol === 'grpc') return base;
  return `${base.endsWith('/') ? base : `${base}/`}${path}`;
}

function readHttpUrl(reader: EnvReader, name: string): string | undefined {
  const raw = reader.string(name);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // Not a URL: reported below as an invalid value of the variable.
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    reader.problems.invalid(name, maskUrl(raw), 'an http:// or https:// URL, e.g. http://localhost:4318');
    return undefined;
  }
  return raw;
}

/** `k=v,k2=v2`, both sides percent-decoded (the W3C baggage format the OTel specification uses). */
function readHeaders(reader: EnvReader, name: string): Record<string, string> {
  const raw = reader.string(name);
  if (raw === undefined) return {};
  const headers: Record<string, string> = {};
  for (const entry of raw.split(',')) {
    if (entry.trim() === '') continue;
    const eq = entry.indexOf('=');
    let key: string | undefined;
    let value: string | undefined;
    try {
      key = eq > 0 ? decodeURIComponent(entry.slice(0, eq).trim()) : undefined;
      value = eq > 0 ? decodeURIComponent(entry.slice(eq + 1).trim()) : undefined;
    } catch {
      // A malformed percent escape: reported below as an invalid entry.
      key = undefined;
    }
    if (key === undefined || value === undefined || !HEADER_NAME.test(key) || /[\r\n\0]/.test(value)) {
      reader.problems.invalid(
        name,
        maskHeaderList(raw),
        'a comma list of name=value pairs with percent-encoded values, e.g. Authorization=Bearer%20abc,x-team=ops',
      );
      return {};
    }
    headers[key] = value;
  }
  return headers;
}

/** HTTP header names ignore case: a later spelling replaces an earlier one instead of sending both. */
function mergeCaseInsensitive(headers: Record<string, string>): Record<string, string> {
  const byLowerName = new Map<string, [string, string]>();
  for (const [key, value] of Object.entries(headers)) byLowerName.set(key.toLowerCase(), [key, value]);
  return Object.fromEntries(byLowerName.values());
}
