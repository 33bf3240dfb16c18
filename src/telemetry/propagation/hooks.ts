/**
 * Instrumentation hooks that enforce the propagation rules per request: the HTTP server remembers each peer's
 * address (for incoming baggage) and drops health-check requests before any span exists; the HTTP client
 * removes what a host may not receive from the not-yet-sent request; fetch (undici, the openai SDK) records the
 * permission before inject() runs.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig, UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { parseBaggageHeader } from '../common/sentry-core.js';
import { isSentryBaggageKey } from '../sampling/dsc.js';
import { pathIsIgnored } from '../common/pattern-match.js';
import { BAGGAGE, SENTRY_TRACE, TRACEPARENT, TRACESTATE } from './propagator.js';
import { permissionFor, registerPeer, setOutgoingPermission, type OutgoingPermission } from './targets.js';
import type { TelemetryConfig } from '../common/types.js';

function isClientRequest(request: ClientRequest | IncomingMessage): request is ClientRequest {
  return (
    typeof (request as ClientRequest).removeHeader === 'function' &&
    typeof (request as ClientRequest).getHeader === 'function'
  );
}

/** Keeps the baggage entries a host may receive; an empty result removes the header. */
function filterBaggage(value: string, permission: OutgoingPermission): string | undefined {
  const kept: string[] = [];
  for (const [key, entry] of Object.entries(parseBaggageHeader(value) ?? {})) {
    if (typeof entry !== 'string') continue;
    const allowed = isSentryBaggageKey(key) ? permission.trace : permission.baggage;
    if (allowed) kept.push(`${encodeURIComponent(key)}=${encodeURIComponent(entry)}`);
  }
  return kept.length ? kept.join(',') : undefined;
}

function enforceOnClientRequest(request: ClientRequest, config: TelemetryConfig): void {
  if (request.headersSent) return;
  // ClientRequest.host has no port; the Host header has it as sent, like the URL fetch and Sentry match against.
  const hostHeader = request.getHeader('host');
  const url = `${request.protocol}//${typeof hostHeader === 'string' ? hostHeader : request.host}${request.path}`;
  const permission = permissionFor(url, config.propagation);
  if (!permission.trace) {
    for (const name of [TRACEPARENT, TRACESTATE, SENTRY_TRACE]) request.removeHeader(name);
  }
  if (permission.trace && permission.baggage) return;
  const current = request.getHeader(BAGGAGE);
  if (current === undefined) return;
  const filtered = filterBaggage(Array.isArray(current) ? current.join(',') : String(current), permission);
  if (filtered) request.setHeader(BAGGAGE, filtered);
  else request.removeHeader(BAGGAGE);
}

function httpInstrumentationConfig(
  config: TelemetryConfig,
): Pick<HttpInstrumentationConfig, 'ignoreIncomingRequestHook' | 'requestHook'> {
  return {
    ignoreIncomingRequestHook: (request: IncomingMessage): boolean => {
      // Only baggage is ever checked against the peer: a request without it (most) registers nothing.
      const headers = request.headers;
      const address = headers.baggage === undefined ? undefined : request.socket?.remoteAddress;
      if (address) registerPeer(headers, address);
      // pathIsIgnored strips the query itself.
      return pathIsIgnored(request.url ?? '/', config.sampling.ignoreSpans);
    },
    requestHook: (_span: Span, request: ClientRequest | IncomingMessage): void => {
      if (isClientRequest(request)) enforceOnClientRequest(request, config);
    },
  };
}

/** Takes the caller's own `baggage` header(s) out of an undici request, so ours is the only one sent. */
function takeUndiciBaggage(request: UndiciRequest): string | undefined {
  const values: string[] = [];
  if (Array.isArray(request.headers)) {
    const headers = request.headers as unknown[];
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      if (String(headers[i]).toLowerCase() === BAGGAGE) {
        values.unshift(String(headers[i + 1]));
        headers.splice(i, 2);
      }
    }
  } else if (typeof request.headers === 'string') {
    const lines = request.headers.split('\r\n');
    const rest = lines.filter((line) => {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === BAGGAGE) {
        values.push(line.slice(colon + 1).trim());
        return false;
      }
      return true;
    });
    request.headers = rest.join('\r\n');
  }
  return values.length ? values.join(',') : undefined;
}

function undiciInstrumentationConfig(config: TelemetryConfig): Pick<UndiciInstrumentationConfig, 'requestHook'> {
  return {
    requestHook: (span: Span, request: UndiciRequest): void => {
      const permission = permissionFor(`${request.origin}${request.path}`, config.propagation);
      const callerBaggage = takeUndiciBaggage(request);
      setOutgoingPermission(span, { ...permission, ...(callerBaggage ? { callerBaggage } : {}) });
    },
  };
}

/** Everything start() merges into the HTTP and undici instrumentation configs. */
export function propagationInstrumentationHooks(config: TelemetryConfig): {
  http: ReturnType<typeof httpInstrumentationConfig>;
  undici: ReturnType<typeof undiciInstrumentationConfig>;
} {
  return { http: httpInstrumentationConfig(config), undici: undiciInstrumentationConfig(config) };
}
