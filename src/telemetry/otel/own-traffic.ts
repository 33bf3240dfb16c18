/**
 * The layer's own traffic: OTLP exports and Sentry uploads. Context suppression keeps them out of traces only
 * while the exporter and the instrumentation share one OTel API and core; with a second copy the suppression key
 * is another symbol and every export became a span that was exported in turn. So the HTTP and fetch
 * instrumentations also refuse these URLs by address, whatever the copies.
 */
import type { RequestOptions } from 'node:http';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig, UndiciRequest } from '@opentelemetry/instrumentation-undici';
import type { InstrumentationHooks } from './instrumentations.js';
import type { TelemetryConfig } from '../common/types.js';

/** The URLs the layer itself talks to: their requests never become breadcrumbs or spans. */
export function telemetryUrlMatcher(config: TelemetryConfig): (url: string) => boolean {
  const prefixes: string[] = [];
  if (config.otlp.tracesUrl) prefixes.push(config.otlp.tracesUrl);
  if (config.logs.otlp.url) prefixes.push(config.logs.otlp.url);
  const dsn = config.sentry.dsn;
  if (dsn) prefixes.push(`${dsn.protocol}://${dsn.host}${dsn.port ? `:${dsn.port}` : ''}/`);
  return (url) => prefixes.some((prefix) => url.startsWith(prefix));
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** The URL an http.request call targets, written the way the configured prefixes are. */
export function requestOptionsUrl(options: RequestOptions): string {
  const protocol = options.protocol ?? 'http:';
  const host = options.hostname ?? options.host?.replace(/:\d+$/, '') ?? 'localhost';
  const port = options.port === undefined || options.port === null ? '' : String(options.port);
  const portPart = port && port !== DEFAULT_PORTS[protocol] ? `:${port}` : '';
  return `${protocol}//${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}${portPart}${options.path ?? '/'}`;
}

function either<A extends unknown[]>(first: ((...args: A) => boolean) | undefined, second: (...args: A) => boolean) {
  return (...args: A): boolean => second(...args) || (first?.(...args) ?? false);
}

/** Adds the address rule to the HTTP (outgoing) and undici hooks other modules built. */
export function ignoreOwnTraffic(
  hooks: InstrumentationHooks,
  isTelemetryUrl: (url: string) => boolean,
): InstrumentationHooks {
  const http: HttpInstrumentationConfig = {
    ...hooks.http,
    ignoreOutgoingRequestHook: either<[RequestOptions]>(hooks.http?.ignoreOutgoingRequestHook, (options) =>
      isTelemetryUrl(requestOptionsUrl(options)),
    ),
  };
  const undici: UndiciInstrumentationConfig = {
    ...hooks.undici,
    ignoreRequestHook: either<[UndiciRequest]>(hooks.undici?.ignoreRequestHook, (request) =>
      isTelemetryUrl(`${request.origin}${request.path}`),
    ),
  };
  return { http, undici };
}
