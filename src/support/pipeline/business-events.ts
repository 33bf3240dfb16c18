/**
 * The support team's business events. Each is a Sentry message captured while the workflow span is active,
 * so the layer also records it as an event on that span (named by its text) whatever the span backend is.
 */
import { context, trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { captureMessage } from '../../telemetry/index.js';

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

/** Returns the Sentry event id. */
export function emitBusinessEvent(
  workflowSpan: Span,
  event: BusinessEvent,
  tags: Record<string, string>,
  extra: Record<string, unknown> = {},
): string {
  return context.with(trace.setSpan(context.active(), workflowSpan), () =>
    captureMessage(event, { level: LEVELS[event], tags, extra }),
  );
}
