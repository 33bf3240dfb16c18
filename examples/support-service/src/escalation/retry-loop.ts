/**
 * Retries pending escalations on a timer, outside any request. A pass holds escalations of several companies,
 * so each escalation runs in its own isolation scope and root span, named for its company: its breadcrumbs,
 * its escalation_failed event and the tenant.id its webhook call carries are its own, never the previous
 * escalation's. The pass has a span of its own too, which each escalation span links to.
 */
import { setUserContext, withIsolation } from 'otel-sentry-bridge';
import type { Db } from '../db/database.js';
import { pendingEscalations, type Escalation } from '../db/escalations.js';
import type { EscalationSettings } from '../pipeline/escalator.js';
import { deliverQueued } from '../pipeline/escalator.js';

const BATCH = 20;

function retryOne(db: Db, settings: EscalationSettings, escalation: Escalation): Promise<boolean> {
  return withIsolation('escalation_retry', async (span) => {
    setUserContext({ companyId: escalation.companyId });
    span.setAttributes({ 'support.escalation_id': escalation.id, 'support.ticket_id': escalation.ticketId });
    const delivered = await deliverQueued(db, settings, escalation, span);
    span.setAttribute('support.escalation_delivered', delivered);
    return delivered;
  });
}

export async function retryPendingEscalations(db: Db, settings: EscalationSettings): Promise<number> {
  if (settings.webhookUrl === undefined) return 0;
  return withIsolation('escalation_retry_pass', async (span) => {
    let delivered = 0;
    for (const escalation of pendingEscalations(db, BATCH)) {
      if (await retryOne(db, settings, escalation)) delivered += 1;
    }
    span.setAttribute('support.escalations_delivered', delivered);
    return delivered;
  });
}

/** Starts the loop; the returned function stops it. The timer never keeps the process alive. */
export function startEscalationRetryLoop(db: Db, settings: EscalationSettings, intervalMs: number): () => void {
  if (intervalMs === 0 || settings.webhookUrl === undefined) return () => undefined;
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    retryPendingEscalations(db, settings)
      .catch((error: unknown) => {
        console.error(`escalation retry failed: ${error instanceof Error ? error.message : String(error)}`);
      })
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
