/**
 * How many Sentry events the client has been handed and how far they got: the exit paths' view of Sentry, for
 * "flushed N events" and "M events not delivered". A minimal count from the client's own hooks; the layer's
 * accounting of Sentry events (stats(), warnings) is meant to take this hook's place.
 */
import type { Client } from '@sentry/core';

export interface SentryEventCounts {
  /** False with Sentry off (nothing is sent) or no client: the counts are then 0 and say nothing. */
  tracked: boolean;
  /** Accepted by Sentry (a 2xx answer). */
  sent: number;
  /** Given up: refused, rate limited, or no answer (Sentry's transport does not retry). */
  failed: number;
  /** Still being processed by the client or uploaded. */
  pending: number;
}

export type SentryEventCounter = () => SentryEventCounts;

const NONE: SentryEventCounter = () => ({ tracked: false, sent: 0, failed: 0, pending: 0 });

/** Counts the events of `client`; without a client, or with Sentry off (nothing leaves), nothing is tracked. */
export function countSentryEvents(client: Client | undefined, enabled: boolean): SentryEventCounter {
  if (!client || !enabled) return NONE;
  const counts = { handed: 0, sent: 0, failed: 0 };
  client.on('beforeSendEvent', () => {
    counts.handed++;
  });
  client.on('afterSendEvent', (_event, response) => {
    const status = response?.statusCode;
    if (status !== undefined && status >= 200 && status < 300) counts.sent++;
    else counts.failed++;
  });
  return () => {
    // Events between capture and upload (event processors, beforeSend): the client's own counter, when present.
    const processing = Reflect.get(client, '_numProcessing');
    const inClient = typeof processing === 'number' ? processing : 0;
    return { tracked: true, sent: counts.sent, failed: counts.failed, pending: inClient + counts.handed - counts.sent - counts.failed };
  };
}
