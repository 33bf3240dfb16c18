/**
 * How a fake backend misbehaves, switchable while a test runs:
 * - ok: answer normally;
 * - down: stop listening, so new connections are refused (open sockets are destroyed); `ok` listens again on the
 *   same port;
 * - slow: answer normally after `delayMs`;
 * - hang: read the request and never answer (close() still destroys those sockets);
 * - 429: Too Many Requests with `Retry-After: retryAfterSeconds` (default 1; null sends a bare 429);
 * - 503: Service Unavailable (with Retry-After only when retryAfterSeconds is given).
 */
export type FaultMode = 'ok' | 'down' | 'slow' | 'hang' | '429' | '503';

export interface Fault {
  mode: FaultMode;
  /** For slow: how long to wait before answering (default 2000 ms). */
  delayMs?: number;
  /** For 429/503: the Retry-After header in seconds; null omits it. */
  retryAfterSeconds?: number | null;
  /** Extra response headers for 429/503 answers (e.g. Sentry's X-Sentry-Rate-Limits). */
  headers?: Record<string, string>;
}

/** Requests affected by each fault mode (slow ones are still answered and stored when the client waited). */
export type RejectedCounts = Record<Exclude<FaultMode, 'ok'>, number>;

export function emptyRejectedCounts(): RejectedCounts {
  return { down: 0, slow: 0, hang: 0, '429': 0, '503': 0 };
}

export const DEFAULT_SLOW_DELAY_MS = 2000;
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
