import type { IncomingHttpHeaders } from 'node:http';

/**
 * Parses `X-Sentry-Auth: Sentry sentry_version=7, sentry_key=<key>, sentry_client=...` into its parameters.
 * Returns undefined when the header is absent or not of the `Sentry` scheme.
 */
export function parseSentryAuthHeader(header: string | string[] | undefined): Record<string, string> | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return undefined;
  const match = /^\s*Sentry\s+(.*)$/i.exec(value);
  if (!match?.[1]) return undefined;
  const params: Record<string, string> = {};
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return params;
}

export type AuthSource = 'header' | 'query';

export interface AuthCheck {
  ok: boolean;
  /** The keys that were offered, by where they came from. */
  offered: Partial<Record<AuthSource, string>>;
  reason?: string;
}

/**
 * Checks the public key the way Sentry's ingest does: the key may come in the X-Sentry-Auth header or the
 * `sentry_key` query parameter (the node transport uses the query); none, or any wrong one, is a 401.
 */
export function checkSentryKey(
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
  expectedKey: string,
  allowed: readonly AuthSource[],
): AuthCheck {
  const offered: AuthCheck['offered'] = {};
  const headerKey = parseSentryAuthHeader(headers['x-sentry-auth'])?.['sentry_key'];
  if (allowed.includes('header') && headerKey !== undefined) offered.header = headerKey;
  const queryKey = query.get('sentry_key');
  if (allowed.includes('query') && queryKey !== null) offered.query = queryKey;
  const keys = Object.values(offered);
  if (keys.length === 0) return { ok: false, offered, reason: 'missing authorization information' };
  if (keys.some((key) => key !== expectedKey)) return { ok: false, offered, reason: 'invalid public key' };
  return { ok: true, offered };
}
