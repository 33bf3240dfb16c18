/**
 * The accounting of Sentry events (errors and messages): how many the transport was handed, how many Sentry
 * accepted, how many were lost and why. Sentry's transport drops silently (it does not retry, and its client
 * reports go to the very Sentry that is down), so the layer counts at the transport: the envelope results and the
 * transport's own loss callback (`recordDroppedEvent`: rate-limit backoff, network error, queue overflow).
 * stats(), the once-a-minute warning and the exit paths all read these counts.
 */
import type { Client, Envelope, Transport, TransportMakeRequestResponse } from '@sentry/core';
import { FailureReporter } from '../common/failure-reporter.js';

export interface SentryEventsDroppedBy {
  /** Answered 429, or held back by Sentry's rate-limit backoff after one. */
  rateLimit: number;
  /** Connection refused or reset, TLS failure, no answer within the budget. */
  network: number;
  /** The transport's buffer of envelopes in flight was full. */
  queueOverflow: number;
  /** Any other refusal (5xx, 413, other 4xx). */
  other: number;
}

export interface SentryEventCounts {
  /** False with Sentry off (nothing is sent) or no client: the counts are then 0 and say nothing. */
  tracked: boolean;
  /** Accepted by Sentry (a 2xx answer). */
  sent: number;
  /** Lost for good (Sentry's transport does not retry): the sum of `droppedBy`. */
  dropped: number;
  droppedBy: SentryEventsDroppedBy;
  /** Still being processed by the client or uploaded. */
  pending: number;
  /** The last failure, e.g. `connect ECONNREFUSED 127.0.0.1:9` or `HTTP 429 (Retry-After: 60 s)`. */
  lastCause?: string;
  /** Where events go, without the DSN key. */
  endpoint?: string;
}

export type SentryEventCounter = () => SentryEventCounts;

type DropKind = keyof SentryEventsDroppedBy;

const KIND_LABEL: Record<DropKind, string> = {
  rateLimit: 'rate limited',
  network: 'network error',
  queueOverflow: 'queue overflow',
  other: 'other',
};

/** Sentry's transport buffer (createTransport's default): envelopes beyond it are dropped as `queue_overflow`. */
const TRANSPORT_BUFFER = 64;

/** The transport's loss reasons; the client's own (before_send, event_processor, sample_rate) are choices, not losses. */
const TRANSPORT_REASONS: Record<string, DropKind> = {
  ratelimit_backoff: 'rateLimit',
  network_error: 'network',
  queue_overflow: 'queueOverflow',
  send_error: 'other',
};

const noDrops = (): SentryEventsDroppedBy => ({ rateLimit: 0, network: 0, queueOverflow: 0, other: 0 });

const NONE: SentryEventCounter = () => ({ tracked: false, sent: 0, dropped: 0, droppedBy: noDrops(), pending: 0 });

/** Error and message events in an envelope (sessions, client reports and profiles are not events). */
function eventsIn(envelope: Envelope): number {
  let n = 0;
  for (const item of envelope[1]) if ((item[0] as { type?: unknown }).type === 'event') n++;
  return n;
}

/** The envelope URL without its query, which carries the DSN key (`sentry_key`). */
function endpointOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    // An unparsable transport URL only makes the message vaguer; the counts stand.
    return 'the Sentry envelope endpoint';
  }
}

function describeAnswer(response: TransportMakeRequestResponse): string {
  const headers: Record<string, string | null | undefined> = response.headers ?? {};
  const retryAfter = headers['retry-after'];
  const limits = headers['x-sentry-rate-limits'];
  const extra = retryAfter ? ` (Retry-After: ${retryAfter} s)` : limits ? ` (X-Sentry-Rate-Limits: ${limits})` : '';
  return `HTTP ${String(response.statusCode)}${extra}`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const message = error.message || error.name;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

export class SentryEventLedger {
  private sent = 0;
  private readonly droppedBy = noDrops();
  /** Events in sends that have not settled. */
  private inTransport = 0;
  private lastCause: string | undefined;
  private endpoint: string | undefined;
  private readonly warnedDrops = noDrops();

  constructor(private readonly reporter: FailureReporter = new FailureReporter()) {}

  /** Wraps the transport `make` builds so that every envelope's outcome is counted. */
  wrapTransport<O extends { url: string; recordDroppedEvent: Client['recordDroppedEvent'] }>(
    options: O,
    make: (options: O) => Transport,
  ): Transport {
    this.endpoint = endpointOf(options.url);
    const recordDroppedEvent: Client['recordDroppedEvent'] = (reason, category, count = 1) => {
      const kind = TRANSPORT_REASONS[reason];
      if (kind && category === 'error') this.droppedBy[kind] += count;
      options.recordDroppedEvent(reason, category, count);
    };
    const transport = make({ ...options, recordDroppedEvent });
    return {
      ...transport,
      send: (envelope) => {
        const events = eventsIn(envelope);
        if (events === 0) return transport.send(envelope);
        // The rate-limit backoff filters items synchronously, before any request: those are counted already.
        const backedOffBefore = this.droppedBy.rateLimit;
        const result = transport.send(envelope);
        const held = this.droppedBy.rateLimit - backedOffBefore;
        const inFlight = events - held;
        this.inTransport += inFlight;
        return result.then(
          (response) => {
            this.inTransport -= inFlight;
            this.settle(inFlight, response);
            return response;
          },
          (error: unknown) => {
            // The transport counted these as network_error before rethrowing.
            this.inTransport -= inFlight;
            this.lastCause = describeError(error);
            this.warn();
            throw error;
          },
        );
      },
    };
  }

  private settle(events: number, response: TransportMakeRequestResponse): void {
    const status = response.statusCode;
    // No status: held back by the backoff or dropped by a full buffer, both counted through recordDroppedEvent.
    if (status === undefined) {
      if (this.droppedBy.rateLimit > this.warnedDrops.rateLimit && !this.lastCause)
        this.lastCause = 'rate-limit backoff';
      this.warn();
      return;
    }
    if (status >= 200 && status < 300) {
      this.sent += events;
      // Overflow drops held back for a failure that did not come: a burst larger than the buffer.
      this.warn(false);
      return;
    }
    this.lastCause = describeAnswer(response);
    if (status === 429) this.droppedBy.rateLimit += events;
    // 413 is counted by the transport itself (send_error).
    else if (status !== 413) this.droppedBy.other += events;
    this.warn();
  }

  /**
   * With only overflow drops and no failure known yet, the warning waits (`mayWait`) for the answers of the
   * envelopes in the buffer: a refused connection or a timeout is what filled it, and "queue full" alone hides it.
   */
  private warn(mayWait = true): void {
    const since = noDrops();
    let total = 0;
    for (const kind of Object.keys(since) as DropKind[]) {
      since[kind] = this.droppedBy[kind] - this.warnedDrops[kind];
      total += since[kind];
    }
    if (total === 0) return;
    if (mayWait && this.lastCause === undefined && total === since.queueOverflow && this.inTransport > 0) return;
    const written = this.reporter.report((nextInS) => {
      const kinds = (Object.keys(since) as DropKind[])
        .filter((kind) => since[kind] > 0)
        .map((kind) => `${since[kind]} ${KIND_LABEL[kind]}`);
      return (
        `otel-sentry-bridge: Sentry events to ${this.endpoint ?? 'Sentry'} failed` +
        ` (${this.lastCause ?? `transport queue full (${TRANSPORT_BUFFER} envelopes)`});` +
        ` ${total} event(s) dropped since the last warning (${kinds.join(', ')}); ${this.sent} sent, ${this.dropped()} dropped in all.` +
        ` Next warning in at most ${nextInS} s.`
      );
    });
    if (written) Object.assign(this.warnedDrops, this.droppedBy);
  }

  private dropped(): number {
    return Object.values(this.droppedBy).reduce((sum, n) => sum + n, 0);
  }

  /** The counts of `client`; without a client, or with Sentry off (nothing leaves), nothing is tracked. */
  counter(client: Client | undefined, enabled: boolean): SentryEventCounter {
    if (!client || !enabled) return NONE;
    return () => {
      // Events between capture and upload (event processors, beforeSend): the client's own counter, when present.
      const processing = Reflect.get(client, '_numProcessing');
      const inClient = typeof processing === 'number' ? processing : 0;
      return {
        tracked: true,
        sent: this.sent,
        dropped: this.dropped(),
        droppedBy: { ...this.droppedBy },
        pending: inClient + this.inTransport,
        ...(this.lastCause ? { lastCause: this.lastCause } : {}),
        ...(this.endpoint ? { endpoint: this.endpoint } : {}),
      };
    };
  }
}

/** Nothing tracked: for a process without Sentry, and until the lifecycle is installed. */
export function untrackedSentryEvents(): SentryEventCounter {
  return NONE;
}
