// Shared plumbing of the security end-to-end tests: the support service started with a test-only preload that
// makes third-party host names resolve to loopback, and the baggage header as key -> value.
import type { IncomingHttpHeaders } from 'node:http';
import { fixturePath, startApp, type AppProcess } from '../kit/index.js';
import { SERVICE, SERVICE_TEST_ENV, freshDatabasePath } from './support-helpers.js';

export const LOOPBACK_DNS = 'test/fixtures/security-loopback-dns.mjs';

/**
 * The support service under `--import register`, plus the loopback DNS preload: OPENAI_BASE_URL may name
 * `api.openai.com` and the request still goes to the fake model on 127.0.0.1.
 */
export function startSupportService(env: Record<string, string>): Promise<AppProcess> {
  return startApp(SERVICE, {
    nodeArgs: ['--import', fixturePath(LOOPBACK_DNS)],
    env: {
      ...SERVICE_TEST_ENV,
      DATABASE_PATH: freshDatabasePath(),
      ...env,
    },
  });
}

/** The `baggage` header received, as key -> value; throws when it came more than once. */
export function baggageOf(headers: IncomingHttpHeaders): Record<string, string> {
  const raw = headers.baggage;
  if (Array.isArray(raw)) throw new Error(`baggage header received ${raw.length} times`);
  const entries: Record<string, string> = {};
  for (const member of (raw ?? '').split(',')) {
    const eq = member.indexOf('=');
    if (eq <= 0) continue;
    entries[decodeURIComponent(member.slice(0, eq).trim())] = decodeURIComponent(
      member
        .slice(eq + 1)
        .split(';', 1)[0]!
        .trim(),
    );
  }
  return entries;
}
