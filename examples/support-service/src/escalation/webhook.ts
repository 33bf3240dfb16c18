/**
 * Delivery of an escalated ticket to the helpdesk's webhook: one POST with a deadline. Anything but a 2xx
 * within the deadline is a failed delivery; the escalation then stays queued for the retry loop.
 */
import { withToolSpan } from 'otel-sentry-bridge';
import type { Interaction, Ticket } from '../db/tickets.js';

export interface EscalationPayload {
  escalation_id: number;
  reason: string;
  ticket: {
    id: string;
    company_id: string;
    external_user_id: string;
    channel: string;
    status: string;
    category: string | null;
    priority: string | null;
    sentiment: string | null;
    queue: string | null;
    confidence: number | null;
  };
  interactions: Interaction[];
}

export function escalationPayload(
  escalationId: number,
  reason: string,
  ticket: Ticket,
  interactions: Interaction[],
): EscalationPayload {
  return {
    escalation_id: escalationId,
    reason,
    ticket: {
      id: ticket.id,
      company_id: ticket.companyId,
      external_user_id: ticket.externalUserId,
      channel: ticket.channel,
      status: ticket.status,
      category: ticket.category,
      priority: ticket.priority,
      sentiment: ticket.sentiment,
      queue: ticket.queue,
      confidence: ticket.confidence,
    },
    interactions,
  };
}

export class EscalationDeliveryError extends Error {
  override readonly name = 'EscalationDeliveryError';
}

/** Resolves when the helpdesk accepted the ticket; rejects with EscalationDeliveryError otherwise. */
export function deliverEscalation(url: string, payload: EscalationPayload, timeoutMs: number): Promise<void> {
  return withToolSpan({ name: 'escalate_to_helpdesk', type: 'extension' }, async (span) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      throw new EscalationDeliveryError(
        timedOut
          ? `helpdesk webhook timed out after ${timeoutMs} ms`
          : `helpdesk webhook unreachable: ${String(error)}`,
      );
    }
    span.setAttribute('http.response.status_code', response.status);
    // Drain the body so the keep-alive socket is reusable; its content is not needed.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new EscalationDeliveryError(`helpdesk webhook answered ${response.status}`);
  });
}
