/**
 * The escalation queue. Every escalation is written here first; delivery to the helpdesk webhook marks it
 * delivered, a failed or impossible delivery leaves it pending for the retry loop.
 */
import { statement, type Db } from './database.js';
import { dbSpan } from './traced.js';

export type EscalationStatus = 'pending' | 'delivered';

export interface Escalation {
  id: number;
  ticketId: string;
  companyId: string;
  reason: string;
  status: EscalationStatus;
  attempts: number;
  lastError: string | null;
}

export function enqueueEscalation(db: Db, ticketId: string, companyId: string, reason: string): number {
  const now = new Date().toISOString();
  const result = dbSpan('INSERT', 'escalations', () =>
    statement(
      db,
      `INSERT INTO escalations (ticket_id, company_id, reason, status, attempts, created_at, updated_at)
         VALUES (?, ?, ?, 'pending', 0, ?, ?)`,
    ).run(ticketId, companyId, reason, now, now),
  );
  return Number(result.lastInsertRowid);
}

export function recordDeliveryAttempt(db: Db, id: number, delivered: boolean, error?: string): void {
  dbSpan('UPDATE', 'escalations', () =>
    statement(
      db,
      `UPDATE escalations SET status = ?, attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?`,
    ).run(delivered ? 'delivered' : 'pending', error ?? null, new Date().toISOString(), id),
  );
}

export function pendingEscalations(db: Db, limit: number): Escalation[] {
  return dbSpan(
    'SELECT',
    'escalations',
    () =>
      statement(
        db,
        `SELECT id, ticket_id AS ticketId, company_id AS companyId, reason, status, attempts, last_error AS lastError
           FROM escalations WHERE status = 'pending' ORDER BY id LIMIT ?`,
      ).all(limit) as Escalation[],
  );
}

export function escalationsForTicket(db: Db, ticketId: string): Escalation[] {
  return dbSpan(
    'SELECT',
    'escalations',
    () =>
      statement(
        db,
        `SELECT id, ticket_id AS ticketId, company_id AS companyId, reason, status, attempts, last_error AS lastError
           FROM escalations WHERE ticket_id = ? ORDER BY id`,
      ).all(ticketId) as Escalation[],
  );
}

/** Whether the escalation still waits for delivery (a retry pass's list can be stale by the time it gets there). */
export function isPending(db: Db, id: number): boolean {
  const row = dbSpan(
    'SELECT',
    'escalations',
    () =>
      statement(db, 'SELECT status FROM escalations WHERE id = ?').get(id) as { status: EscalationStatus } | undefined,
  );
  return row?.status === 'pending';
}
