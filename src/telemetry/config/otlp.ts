/**
 * The collector OTLP exporter's settings, from the OTel-standard OTEL_EXPORTER_OTLP_[TRACES_]* variables. The
 * signal-specific variable wins over the generic one, per key for headers, as in the OTel specification.
 */
import type { OtlpConfig, OtlpProtocol } from '../common/types.js';
import type { EnvReader } from './env-reader.js';
import { maskHeaderList, maskUrl } from './masking.js';

const PROTOCOLS: readonly OtlpProtocol[] = ['http/protobuf', 'http/json', 'grpc'];
const COMPRESSIONS = ['gzip', 'none'] as const;
const DEFAULT_TIMEOUT_MS = 10_000;
const TRACES_PATH = 'v1/traces';
const HEADER_NAME = /^[!#$%&'*+.^_`|~\dA-Za-z-]+$/;

/** OTel's default endpoints, used only when OTEL_TRACES_EXPORTER asks for otlp without naming an endpoint. */
export const OTEL_DEFAULT_ENDPOINT: Record<OtlpProtocol, string> = {
  'http/protobuf': 'http://localhost:4318/v1/traces',
  'http/json': 'http://localhost:4318/v1/traces',
  grpc: 'http://localhost:4317',
};

const generic = (suffix: string): string => `OTEL_EXPORTER_OTLP_${suffix}`;
const traces = (suffix: string): string => `OTEL_EXPORTER_OTLP_TRACES_${suffix}`;

export function readOtlp(reader: EnvReader): OtlpConfig {
  // Both variants are read (and so validated) even when the TRACES_ one wins.
  const protocols = [reader.choice(traces('PROTOCOL'), PROTOCOLS), reader.choice(generic('PROTOCOL'), PROTOCOLS)];
  const compressions = [
    reader.choice(traces('COMPRESSION'), COMPRESSIONS),
    reader.choice(generic('COMPRESSION'), COMPRESSIONS),
  ];
  const timeouts = [reader.integer(traces('TIMEOUT')), reader.integer(generic('TIMEOUT'))];
  const protocol = protocols[0] ?? protocols[1] ?? 'http/protobuf';
  const compression = compressions[0] ?? compressions[1] ?? 'none';
  const timeoutMillis = timeouts[0] ?? timeouts[1] ?? DEFAULT_TIMEOUT_MS;

  const headers = {
    ...readHeaders(reader, generic('HEADERS')),
    ...readHeaders(reader, traces('HEADERS')),
  };
  const config: OtlpConfig = { headers: mergeCaseInsensitive(headers), protocol, timeoutMillis, compression };
  const tracesUrl = readTracesUrl(reader, protocol);
  if (tracesUrl !== undefined) config.tracesUrl = tracesUrl;
  return config;
}

function readTracesUrl(reader: EnvReader, protocol: OtlpProtocol): string | undefined {
  const specific = readHttpUrl(reader, traces('ENDPOINT'));
  const base = readHttpUrl(reader, generic('ENDPOINT'));
  if (specific !== undefined) return specific;
  if (base === undefined) return undefined;
  // gRPC names the service in the request, not in the URL: the base endpoint is used as is.
  if (protocol === 'grpc') return base;
  return `${base.endsWith('/') ? base : `${base}/`}${TRACES_PATH}`;
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
