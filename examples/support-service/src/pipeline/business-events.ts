/**
 * The support team's business events. Each is a Sentry message (captured where it happens, so the Sentry event
 * links to the trace and the active span) and an event on the workflow span named by its text, so a span
 * backend without Sentry shows the run's business story on one span.
 */
import type { Span } from '@opentelemetry/api';
import { captureMessage } from 'otel-sentry-bridge';

export type BusinessEvent =
  | 'New ticket created'
  | 'High confidence response generated'
  | 'Low confidence response'
  | 'escalation_failed';

const LEVELS = {
  'New ticket created': 'info',
  'High confidence response generated': 'info',
  'Low confidence response': 'warning',
  escalation_failed: 'error',
} as const;

/** Returns the Sentry event id ('' when Sentry is off). */
export function emitBusinessEvent(
  workflowSpan: Span,
  event: BusinessEvent,
  tags: Record<string, string>,
  extra: Record<string, unknown> = {},
): string {
  const level = LEVELS[event];
  const eventId = captureMessage(event, { level, tags, extra });
  const attributes: Record<string, string> = { 'sentry.level': level };
  if (eventId !== '') attributes['sentry.event_id'] = eventId;
  for (const [key, value] of Object.entries(tags)) attributes[`support.${key}`] = value;
  workflowSpan.addEvent(event, attributes);
  // One log line per business event: the support team greps for them, and `npm run demo` counts them.
  const tagText = Object.entries(tags)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  console.log(`business event "${event}" level=${level} ${tagText}${eventId ? ` sentry_event_id=${eventId}` : ''}`);
  return eventId;
}
