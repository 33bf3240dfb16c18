/**
 * What the exit paths say about delivery: how many spans and Sentry events went out during the exit, and how
 * many did not. Written for the line an operator reads after a crash or an explicit exit.
 */
import type { PipelineStats } from './export-pipeline.js';
import type { SentryEventCounts } from './sentry-events.js';

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
  const events = after.events.failed - before.events.failed + after.events.pending;
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
