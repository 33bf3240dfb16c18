/**
 * The Escalator agent: decides whether a human takes over and, if so, queues the escalation and delivers it
 * to the helpdesk webhook. A delivery failure is an `escalation_failed` business event; the escalation stays
 * pending for the retry loop.
 */
import type { Span } from '@opentelemetry/api';
import { addBreadcrumb } from 'otel-sentry-bridge';
import type { Db } from '../db/database.js';
import { enqueueEscalation, isPending, recordDeliveryAttempt } from '../db/escalations.js';
import { getTicket, listInteractions } from '../db/tickets.js';
import { deliverEscalation, escalationPayload } from '../escalation/webhook.js';
import { emitBusinessEvent } from './business-events.js';
import { LOW_CONFIDENCE } from './confidence.js';
import type { TriageResult } from './triage.js';

export type EscalationReason = 'model_failure' | 'low_confidence' | 'high_priority' | 'negative_sentiment';

export interface EscalationSettings {
  webhookUrl?: string;
  timeoutMs: number;
}

export function escalationReason(
  result: TriageResult,
  confidence: number,
  modelFailed: boolean,
): EscalationReason | undefined {
  // The first reason that applies is the one the helpdesk sees: what the customer needs beats how sure we are.
  if (modelFailed) return 'model_failure';
  if (result.priority === 'high' || result.priority === 'urgent') return 'high_priority';
  if (result.sentiment === 'negative') return 'negative_sentiment';
  if (confidence < LOW_CONFIDENCE) return 'low_confidence';
  return undefined;
}

export interface EscalationOutcome {
  escalationId: number;
  delivered: boolean;
}

/**
 * Escalations being delivered right now: the retry loop may see an escalation the request path is still
 * delivering (it is pending until the webhook answers), and must not send it twice.
 */
const inFlight = new Set<number>();

/** Delivers one queued escalation; returns whether the helpdesk accepted it. Used by the retry loop too. */
export async function deliverQueued(
  db: Db,
  settings: EscalationSettings,
  escalation: { id: number; ticketId: string; companyId: string; reason: string },
  eventSpan: Span,
): Promise<boolean> {
  if (settings.webhookUrl === undefined || inFlight.has(escalation.id) || !isPending(db, escalation.id)) return false;
  const ticket = getTicket(db, escalation.companyId, escalation.ticketId);
  if (ticket === undefined) return false;
  const payload = escalationPayload(escalation.id, escalation.reason, ticket, listInteractions(db, ticket.id));
  inFlight.add(escalation.id);
  try {
    await deliverEscalation(settings.webhookUrl, payload, settings.timeoutMs);
    recordDeliveryAttempt(db, escalation.id, true);
    addBreadcrumb({
      message: 'Escalation delivered',
      category: 'escalation',
      level: 'info',
      data: { escalation_id: escalation.id },
    });
    return true;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    recordDeliveryAttempt(db, escalation.id, false, message);
    emitBusinessEvent(
      eventSpan,
      'escalation_failed',
      { ticket_id: ticket.id, company_id: ticket.companyId, reason: escalation.reason },
      { escalation_id: escalation.id, error: message },
    );
    return false;
  } finally {
    inFlight.delete(escalation.id);
  }
}

export async function escalate(
  db: Db,
  settings: EscalationSettings,
  ticket: { id: string; companyId: string },
  reason: EscalationReason,
  workflowSpan: Span,
): Promise<EscalationOutcome> {
  const escalationId = enqueueEscalation(db, ticket.id, ticket.companyId, reason);
  addBreadcrumb({
    message: 'Ticket escalated',
    category: 'escalation',
    level: 'warning',
    data: { reason, escalation_id: escalationId },
  });
  if (settings.webhookUrl === undefined) {
    addBreadcrumb({
      message: 'No helpdesk webhook configured: escalation queued',
      category: 'escalation',
      level: 'info',
    });
    return { escalationId, delivered: false };
  }
  const delivered = await deliverQueued(
    db,
    settings,
    { id: escalationId, ticketId: ticket.id, companyId: ticket.companyId, reason },
    workflowSpan,
  );
  return { escalationId, delivered };
}
