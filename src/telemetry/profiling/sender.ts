/**
 * Sends chunks through the Sentry client's transport (the layer's, which uploads with tracing suppressed), with
 * a bound on chunks in flight: a Sentry that is down or slow costs counted drops, not memory.
 */
import type { Client } from '@sentry/core';
import { profileChunkEnvelope } from './chunk.js';
import { reportInternalError } from '../common/internal-errors.js';
import type { ProfileChunk } from '@sentry/core';

/** Chunks waiting on the transport at once; a chunk is up to a few hundred KB. */
export const MAX_CHUNKS_IN_FLIGHT = 4;
const WARN_INTERVAL_MS = 60_000;

export interface ChunkStats {
  sent: number;
  /** Left out because MAX_CHUNKS_IN_FLIGHT were still waiting on Sentry. */
  dropped: number;
  /** Rejected by the transport or answered with an error status. */
  failed: number;
}

export class ChunkSender {
  readonly stats: ChunkStats = { sent: 0, dropped: 0, failed: 0 };
  private inFlight = 0;
  private lastWarning = 0;

  constructor(private readonly client: () => Client | undefined) {}

  send(chunk: ProfileChunk): void {
    const client = this.client();
    const transport = client?.getTransport();
    if (!client || !transport) return;
    if (this.inFlight >= MAX_CHUNKS_IN_FLIGHT) {
      this.stats.dropped++;
      this.warn();
      return;
    }
    this.inFlight++;
    let pending: PromiseLike<{ statusCode?: number } | void>;
    try {
      pending = transport.send(profileChunkEnvelope(chunk, client.getSdkMetadata()?.sdk));
    } catch (error) {
      this.inFlight--;
      this.stats.failed++;
      reportInternalError('profiling.send', error);
      return;
    }
    pending.then(
      (response) => {
        this.inFlight--;
        const status = response && typeof response === 'object' ? response.statusCode : undefined;
        if (status !== undefined && status >= 400) this.stats.failed++;
        else this.stats.sent++;
      },
      () => {
        this.inFlight--;
        this.stats.failed++;
      },
    );
  }

  private warn(): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_INTERVAL_MS) return;
    this.lastWarning = now;
    process.stderr.write(
      `otel-sentry-bridge: warning: profile chunks dropped: ${MAX_CHUNKS_IN_FLIGHT} still waiting on Sentry ` +
        `(${this.stats.sent} sent, ${this.stats.dropped} dropped, ${this.stats.failed} failed)\n`,
    );
  }
}
