// Shared plumbing of the security end-to-end tests: the support service started with a test-only preload that
// makes third-party host names resolve to loopback, and the baggage header as key -> value.
import type { IncomingHttpHeaders } from 'node:http';
import { fixturePath, startApp, type AppProcess } from '../kit/index.js';
import { SERVICE, freshDatabasePath } from './support-helpers.js';

export const LOOPBACK_DNS = 'test/fixtures/security-loopback-dns.mjs';

/**
 * The support service under `--import register`, plus the loopback DNS preload: OPENAI_BASE_URL may name
 * `api.openai.com` and the request still goes to the fake model on 127.0.0.1.
 */
export function startSupportService(env: Record<string, string>): Promise<AppProcess> {
  return startApp(SERVICE, {
    nodeArgs: ['--import', fixturePath(LOOPBACK_DNS)],
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'development',
      SENTRY_TRACES_SAMPLE_RATE: '1',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      ESCALATION_RETRY_INTERVAL_MS: '0',
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
    entries[decodeURIComponent(member.slice(0, eq).trim())] = decodeURIComponent(member.slice(eq + 1).split(';', 1)[0]!.trim());
  }
  return entries;
}
