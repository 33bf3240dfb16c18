/**
 * Retries pending escalations on a timer. Each pass is a job outside any request, so it runs in its own
 * isolation scope and root span: its breadcrumbs and failures never land on a customer's request.
 */
import { withIsolation } from 'otel-sentry-bridge';
import type { Db } from '../db/database.js';
import { pendingEscalations } from '../db/escalations.js';
import type { EscalationSettings } from '../pipeline/escalator.js';
import { deliverQueued } from '../pipeline/escalator.js';

const BATCH = 20;

export async function retryPendingEscalations(db: Db, settings: EscalationSettings): Promise<number> {
  if (settings.webhookUrl === undefined) return 0;
  return withIsolation('escalation_retry', async (span) => {
    let delivered = 0;
    for (const escalation of pendingEscalations(db, BATCH)) {
      if (await deliverQueued(db, settings, escalation, span)) delivered += 1;
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
