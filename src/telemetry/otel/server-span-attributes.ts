/**
 * The attributes @opentelemetry/instrumentation-http (0.223, stable HTTP conventions) writes on a server span
 * when the request arrives, rebuilt for the diagnostics-channel server spans (server-spans.ts) so that the span
 * is the same whichever path made it. test/unit/otel/server-span-attributes.test.ts compares this module with
 * the installed instrumentation's own function over a corpus of requests.
 *
 * The instrumentation parses every request's URL with `new URL(url, 'http://<host>')` for `url.path`; that
 * parse is skipped for a plain path (no query, fragment, dot segment or character the URL parser would
 * percent-encode or reinterpret), where the pathname is the path itself. The parse fails, and the instrumentation
 * writes no `url.path`, when the Host header makes an invalid base URL: that check is kept (for the last host
 * seen, which is nearly always the next request's too).
 */
import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '../common/semconv.js';

export type Component = 'http' | 'https';

// The instrumentation's own lists (its internal-types module).
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);
const QUERY_KEYS_TO_REDACT = [
  'sig',
  'Signature',
  'AWSAccessKeyId',
  'X-Goog-Signature',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
];
const REDACTED = 'REDACTED';

/** A path the URL parser returns unchanged as the pathname: no `//` start (a host), no dot segment, no `%2e`. */
const PLAIN_PATH = /^\/(?![/\\])[\w\-.~!$&'()*+,;=:@/%]*$/;
const DOT_SEGMENT = /\/\.|%2e/i;

function normalizeMethod(method: string | undefined): string {
  if (method == null) return 'GET';
  // Node's parser hands the method as sent, nearly always a known one in capitals: no copy made for it.
  if (KNOWN_METHODS.has(method)) return method;
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

type ForwardedParse = (header: string) => Array<{ host?: string; proto?: string; for?: string }>;
let forwardedParse: ForwardedParse | undefined;

/** The Forwarded header through the same parser the instrumentation uses, loaded the first time one arrives. */
function parseForwarded(header: string): ReturnType<ForwardedParse> {
  try {
    if (forwardedParse === undefined) {
      const require = createRequire(import.meta.url);
      const fromInstrumentation = createRequire(require.resolve('@opentelemetry/instrumentation-http'));
      forwardedParse = fromInstrumentation('forwarded-parse') as ForwardedParse;
    }
    return forwardedParse(header);
  } catch {
    return [];
  }
}

interface HostAndPort {
  host: string;
  port?: string;
}

function parseHostHeader(hostHeader: string, proto?: string): HostAndPort {
  // `name:port`, the usual Host header, without the array of the general case below.
  const colon = hostHeader.indexOf(':');
  if (colon !== -1 && hostHeader.indexOf(':', colon + 1) === -1) {
    return { host: hostHeader.slice(0, colon), port: hostHeader.slice(colon + 1) };
  }
  const parts = hostHeader.split(':');
  if (parts.length === 1) {
    if (proto === 'http') return { host: parts[0]!, port: '80' };
    if (proto === 'https') return { host: parts[0]!, port: '443' };
    return { host: parts[0]! };
  }
  if (parts.length === 2) return { host: parts[0]!, port: parts[1]! };
  if (parts[0]!.startsWith('[')) {
    if (parts[parts.length - 1]!.endsWith(']')) {
      if (proto === 'http') return { host: hostHeader, port: '80' };
      if (proto === 'https') return { host: hostHeader, port: '443' };
    } else if (parts[parts.length - 2]!.endsWith(']')) {
      return { host: parts.slice(0, -1).join(':'), port: parts[parts.length - 1]! };
    }
  }
  return { host: hostHeader };
}

function firstProto(value: string | string[] | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value[0];
  return undefined;
}

function serverAddress(request: IncomingMessage, component: Component): HostAndPort | undefined {
  const forwarded = request.headers.forwarded;
  if (forwarded) {
    for (const entry of parseForwarded(forwarded)) {
      if (entry.host) return parseHostHeader(entry.host, entry.proto);
    }
  }
  const forwardedHost = request.headers['x-forwarded-host'] as string | string[] | undefined;
  const forwardedProto = request.headers['x-forwarded-proto'] as string | string[] | undefined;
  if (typeof forwardedHost === 'string') return parseHostHeader(forwardedHost, firstProto(forwardedProto));
  if (Array.isArray(forwardedHost) && typeof forwardedHost[0] === 'string' && forwardedHost[0].length > 0) {
    return parseHostHeader(forwardedHost[0], firstProto(forwardedProto));
  }
  const host = request.headers.host;
  if (typeof host === 'string' && host.length > 0) return parseHostHeader(host, component);
  return undefined;
}

function removePortFromAddress(input: string): string {
  try {
    const { hostname } = new URL(`http://${input}`);
    return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  } catch {
    return input;
  }
}

function clientAddress(request: IncomingMessage): string | undefined {
  const forwarded = request.headers.forwarded;
  if (forwarded) {
    for (const entry of parseForwarded(forwarded)) {
      if (entry.for) return removePortFromAddress(entry.for);
    }
  }
  const forwardedFor = request.headers['x-forwarded-for'] as string | string[] | undefined;
  if (forwardedFor) {
    const first =
      typeof forwardedFor === 'string' ? forwardedFor : Array.isArray(forwardedFor) ? forwardedFor[0] : undefined;
    if (typeof first === 'string') return removePortFromAddress(first.split(',')[0]!.trim());
  }
  return request.socket.remoteAddress || undefined;
}

let lastHost: string | undefined;
let lastHostValid = false;

/** Whether `new URL(path, '<component>://<host>')` parses, as the instrumentation's own parse needs. */
function validBase(component: Component, host: string): boolean {
  if (host !== lastHost) {
    lastHost = host;
    lastHostValid = URL.canParse(`${component}://${host}`);
  }
  return lastHostValid;
}

interface ParsedPath {
  pathname?: string;
  search?: string;
}

function parsePath(request: IncomingMessage, component: Component): ParsedPath {
  const url = request.url ?? '/';
  const host = request.headers.host;
  if (PLAIN_PATH.test(url) && !DOT_SEGMENT.test(url)) {
    return host && !validBase(component, host) ? {} : { pathname: url };
  }
  try {
    const parsed = new URL(url, `${component}://${host || 'localhost'}`);
    return { pathname: parsed.pathname, search: parsed.search };
  } catch {
    return {};
  }
}

function redactQuery(search: string): string {
  const params = new URLSearchParams(search);
  for (const key of QUERY_KEYS_TO_REDACT) if (params.has(key)) params.set(key, REDACTED);
  return params.toString();
}

/** What the instrumentation's `getIncomingRequestAttributes` returns for this layer's configuration. */
export function incomingRequestAttributes(request: IncomingMessage, component: Component): Attributes {
  const { headers, method } = request;
  const parsed = parsePath(request, component);
  const normalizedMethod = normalizeMethod(method);
  const server = serverAddress(request, component);
  const client = clientAddress(request);
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: normalizedMethod,
    [ATTR_URL_SCHEME]: component,
    [ATTR_SERVER_ADDRESS]: server?.host,
    [ATTR_NETWORK_PEER_ADDRESS]: request.socket.remoteAddress,
    [ATTR_NETWORK_PEER_PORT]: request.socket.remotePort,
    [ATTR_NETWORK_PROTOCOL_VERSION]: request.httpVersion,
    [ATTR_USER_AGENT_ORIGINAL]: headers['user-agent'],
  };
  if (parsed.pathname != null) attributes[ATTR_URL_PATH] = parsed.pathname;
  if (parsed.search) attributes[ATTR_URL_QUERY] = redactQuery(parsed.search.slice(1));
  if (client != null) attributes[ATTR_CLIENT_ADDRESS] = client;
  if (server?.port != null) attributes[ATTR_SERVER_PORT] = Number(server.port);
  if (method !== normalizedMethod) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = method;
  return attributes;
}
