/**
 * What the exit paths say about delivery: how many spans and Sentry events went out during the exit, and how
 * many did not. Written for the line an operator reads after a crash or an explicit exit.
 */
import type { PipelineLosses, PipelineStats } from '../export/pipeline.js';
import type { SentryEventCounts, SentryEventsDroppedBy } from '../sentry/events-ledger.js';

/** The counts at one moment: per span exporter, and for Sentry events. */
export interface ExitTally {
  exporters: Record<string, PipelineStats>;
  events: SentryEventCounts;
}

export function exitTally(exporters: Record<string, PipelineStats>, events: SentryEventCounts): ExitTally {
  return { exporters, events };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** e.g. `flushed 7 spans to sentry, 7 to otlp and 1 Sentry event` (no events named with Sentry off). */
export function deliveredSince(before: ExitTally, after: ExitTally): string {
  const spans = Object.entries(after.exporters).map(
    ([name, stats]) => [name, stats.exported - (before.exporters[name]?.exported ?? 0)] as const,
  );
  const parts = spans.map(([name, n], i) => (i === 0 ? `${plural(n, 'span')} to ${name}` : `${n} to ${name}`));
  if (after.events.tracked) parts.push(plural(after.events.sent - before.events.sent, 'Sentry event'));
  if (parts.length === 0) return 'nothing to flush';
  const last = parts.pop() ?? '';
  return `flushed ${parts.length > 0 ? `${parts.join(', ')} and ${last}` : last}`;
}

/**
 * e.g. `4 spans not delivered (otlp: 4 received, 0 exported, 4 dropped; ...), 1 Sentry event not delivered`;
 * empty when everything that was due went out. Spans count as lost when they were dropped since `before` or are
 * still pending; events when they failed since `before` or are still pending.
 */
export function notDelivered(before: ExitTally, after: ExitTally): string {
  let spans = 0;
  for (const [name, stats] of Object.entries(after.exporters)) {
    spans += stats.dropped - (before.exporters[name]?.dropped ?? 0) + stats.pending;
  }
  const events = after.events.dropped - before.events.dropped + after.events.pending;
  const parts: string[] = [];
  if (spans > 0) {
    const counts = Object.entries(after.exporters)
      .map(([name, s]) => `${name}: ${s.received} received, ${s.exported} exported, ${s.dropped} dropped${s.pending > 0 ? `, ${s.pending} pending` : ''}`)
      .join('; ');
    parts.push(`${plural(spans, 'span')} not delivered (${counts})`);
  }
  if (events > 0) parts.push(`${plural(events, 'Sentry event')} not delivered`);
  return parts.join(', ');
}

const DROP_LABELS: Record<keyof SentryEventsDroppedBy, string> = {
  rateLimit: 'rate limited',
  network: 'network error',
  queueOverflow: 'queue overflow',
  other: 'other',
};

/**
 * e.g. `lost over the process's life: sentry 227062 spans (last cause: connect ECONNREFUSED ...), otlp 0;
 * Sentry events 6400 (6400 network error; last cause: ...)`; empty when nothing was ever lost. An outage that
 * recovered before the exit shows here, while the exit code says only what was pending at the exit.
 */
export function lostOverLife(exporters: Record<string, PipelineLosses>, events: SentryEventCounts): string {
  const spansLost = Object.values(exporters).some((losses) => losses.dropped > 0);
  if (!spansLost && events.dropped === 0) return '';
  const spans = Object.entries(exporters).map(
    ([name, losses]) =>
      `${name} ${losses.dropped > 0 ? plural(losses.dropped, 'span') : '0'}${losses.dropped > 0 && losses.lastCause ? ` (last cause: ${losses.lastCause})` : ''}`,
  );
  const parts = [spans.length > 0 ? spans.join(', ') : 'no span exporter'];
  if (events.tracked) {
    const kinds = (Object.keys(DROP_LABELS) as Array<keyof SentryEventsDroppedBy>)
      .filter((kind) => events.droppedBy[kind] > 0)
      .map((kind) => `${events.droppedBy[kind]} ${DROP_LABELS[kind]}`);
    parts.push(
      `Sentry events ${events.dropped}${events.dropped > 0 ? ` (${kinds.join(', ')}${events.lastCause ? `; last cause: ${events.lastCause}` : ''})` : ''}`,
    );
  }
  return `lost over the process's life: ${parts.join('; ')}`;
}
