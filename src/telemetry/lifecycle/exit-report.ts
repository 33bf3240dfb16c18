/**
 * What the exit paths say about delivery: how many spans, log records and Sentry events went out during the exit,
 * and how many did not. Written for the line an operator reads after a crash or an explicit exit.
 */
import type { PipelineLosses, PipelineStats } from '../export/pipeline.js';
import type { SentryEventCounts, SentryEventsDroppedBy } from '../sentry/events-ledger.js';

/** The counts at one moment: per pipeline (spans, log records), and for Sentry events. */
export interface ExitTally {
  exporters: Record<string, PipelineStats>;
  events: SentryEventCounts;
  /** What each pipeline carries, singular; absent: `span`. */
  units: Record<string, string>;
}

export function exitTally(
  exporters: Record<string, PipelineStats>,
  events: SentryEventCounts,
  units: Record<string, string> = {},
): ExitTally {
  return { exporters, events, units };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

const unitOf = (units: Record<string, string>, name: string): string => units[name] ?? 'span';

/** The pipelines' names grouped by what they carry, spans first, in their order otherwise. */
function byUnit<T>(entries: Array<[string, T]>, units: Record<string, string>): Array<[string, Array<[string, T]>]> {
  const groups = new Map<string, Array<[string, T]>>();
  for (const entry of entries) {
    const unit = unitOf(units, entry[0]);
    const group = groups.get(unit) ?? [];
    group.push(entry);
    groups.set(unit, group);
  }
  return [...groups].sort(([a], [b]) => Number(b === 'span') - Number(a === 'span'));
}

/**
 * e.g. `flushed 7 spans to sentry, 7 to otlp, 2 log records to otlp-logs and 1 Sentry event` (no events named with
 * Sentry off).
 */
export function deliveredSince(before: ExitTally, after: ExitTally): string {
  const parts: string[] = [];
  for (const [unit, group] of byUnit(Object.entries(after.exporters), after.units)) {
    group.forEach(([name, stats], i) => {
      const n = stats.exported - (before.exporters[name]?.exported ?? 0);
      parts.push(i === 0 ? `${plural(n, unit)} to ${name}` : `${n} to ${name}`);
    });
  }
  if (after.events.tracked) parts.push(plural(after.events.sent - before.events.sent, 'Sentry event'));
  if (parts.length === 0) return 'nothing to flush';
  const last = parts.pop() ?? '';
  return `flushed ${parts.length > 0 ? `${parts.join(', ')} and ${last}` : last}`;
}

/** Dropped in delivery: what a limit refused at the door (the logs' rate limit) was never meant to go out. */
const undelivered = (stats: PipelineStats | undefined): number => (stats ? stats.dropped - stats.refused : 0);

/**
 * e.g. `4 spans not delivered (otlp: 4 received, 0 exported, 4 dropped; ...), 1 Sentry event not delivered`;
 * empty when everything that was due went out. Spans count as lost when they were dropped since `before` or are
 * still pending; events when they failed since `before` or are still pending.
 */
export function notDelivered(before: ExitTally, after: ExitTally): string {
  const parts: string[] = [];
  for (const [unit, group] of byUnit(Object.entries(after.exporters), after.units)) {
    let lost = 0;
    for (const [name, stats] of group) lost += undelivered(stats) - undelivered(before.exporters[name]) + stats.pending;
    if (lost === 0) continue;
    const counts = group
      .map(
        ([name, s]) =>
          `${name}: ${s.received} received, ${s.exported} exported, ${s.dropped} dropped${s.pending > 0 ? `, ${s.pending} pending` : ''}`,
      )
      .join('; ');
    parts.push(`${plural(lost, unit)} not delivered (${counts})`);
  }
  const events = after.events.dropped - before.events.dropped + after.events.pending;
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
export function lostOverLife(
  exporters: Record<string, PipelineLosses>,
  events: SentryEventCounts,
  units: Record<string, string> = {},
): string {
  const spansLost = Object.values(exporters).some((losses) => losses.dropped > 0);
  if (!spansLost && events.dropped === 0) return '';
  const spans = Object.entries(exporters).map(
    ([name, losses]) =>
      `${name} ${losses.dropped > 0 ? plural(losses.dropped, unitOf(units, name)) : '0'}${losses.dropped > 0 && losses.lastCause ? ` (last cause: ${losses.lastCause})` : ''}`,
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
