/** Tickets and their interactions, always read and written within one company. */
import { randomUUID } from 'node:crypto';
import { statement, type Db } from './database.js';
import { dbSpan } from './traced.js';

export type Channel = 'telegram' | 'whatsapp' | 'email' | 'web';
export type TicketStatus = 'open' | 'escalated' | 'closed';

export interface Ticket {
  id: string;
  companyId: string;
  externalUserId: string;
  channel: Channel;
  status: TicketStatus;
  category: string | null;
  priority: string | null;
  sentiment: string | null;
  queue: string | null;
  confidence: number | null;
  escalated: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Interaction {
  role: 'customer' | 'assistant';
  text: string;
  confidence: number | null;
  createdAt: string;
}

interface TicketRow {
  id: string;
  company_id: string;
  external_user_id: string;
  channel: Channel;
  status: TicketStatus;
  category: string | null;
  priority: string | null;
  sentiment: string | null;
  queue: string | null;
  confidence: number | null;
  escalated: number;
  created_at: string;
  updated_at: string;
}

function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    companyId: row.company_id,
    externalUserId: row.external_user_id,
    channel: row.channel,
    status: row.status,
    category: row.category,
    priority: row.priority,
    sentiment: row.sentiment,
    queue: row.queue,
    confidence: row.confidence,
    escalated: row.escalated === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The customer's ticket that is still being worked on, if any (escalated tickets stay open to follow-ups). */
export function findOpenTicket(db: Db, companyId: string, externalUserId: string): Ticket | undefined {
  const row = dbSpan(
    'SELECT',
    'tickets',
    () =>
      statement(
        db,
        `SELECT * FROM tickets WHERE company_id = ? AND external_user_id = ? AND status IN ('open', 'escalated')
          ORDER BY created_at DESC LIMIT 1`,
      ).get(companyId, externalUserId) as TicketRow | undefined,
  );
  return row && toTicket(row);
}

export function createTicket(db: Db, companyId: string, externalUserId: string, channel: Channel): Ticket {
  const now = new Date().toISOString();
  const id = `TICKET-${randomUUID()}`;
  dbSpan('INSERT', 'tickets', () =>
    statement(
      db,
      `INSERT INTO tickets (id, company_id, external_user_id, channel, status, escalated, created_at, updated_at)
         VALUES (?, ?, ?, ?, 'open', 0, ?, ?)`,
    ).run(id, companyId, externalUserId, channel, now, now),
  );
  return {
    id,
    companyId,
    externalUserId,
    channel,
    status: 'open',
    category: null,
    priority: null,
    sentiment: null,
    queue: null,
    confidence: null,
    escalated: false,
    createdAt: now,
    updatedAt: now,
  };
}

/** Scoped by company: another company's ticket id finds nothing, exactly like an unknown one. */
export function getTicket(db: Db, companyId: string, ticketId: string): Ticket | undefined {
  const row = dbSpan(
    'SELECT',
    'tickets',
    () =>
      statement(db, 'SELECT * FROM tickets WHERE id = ? AND company_id = ?').get(ticketId, companyId) as
        | TicketRow
        | undefined,
  );
  return row && toTicket(row);
}

export interface TicketOutcome {
  category: string;
  priority: string;
  sentiment: string;
  queue: string;
  confidence: number;
  escalated: boolean;
}

export function updateTicketOutcome(db: Db, ticketId: string, outcome: TicketOutcome): void {
  dbSpan('UPDATE', 'tickets', () =>
    statement(
      db,
      `UPDATE tickets SET category = ?, priority = ?, sentiment = ?, queue = ?, confidence = ?,
                escalated = MAX(escalated, ?), status = CASE WHEN ? = 1 THEN 'escalated' ELSE status END,
                updated_at = ?
          WHERE id = ?`,
    ).run(
      outcome.category,
      outcome.priority,
      outcome.sentiment,
      outcome.queue,
      outcome.confidence,
      outcome.escalated ? 1 : 0,
      outcome.escalated ? 1 : 0,
      new Date().toISOString(),
      ticketId,
    ),
  );
}

export function addInteraction(db: Db, ticketId: string, interaction: Omit<Interaction, 'createdAt'>): void {
  dbSpan('INSERT', 'interactions', () =>
    statement(
      db,
      'INSERT INTO interactions (ticket_id, role, text, confidence, created_at) VALUES (?, ?, ?, ?, ?)',
    ).run(ticketId, interaction.role, interaction.text, interaction.confidence, new Date().toISOString()),
  );
}

export function listInteractions(db: Db, ticketId: string): Interaction[] {
  return dbSpan(
    'SELECT',
    'interactions',
    () =>
      statement(
        db,
        'SELECT role, text, confidence, created_at AS createdAt FROM interactions WHERE ticket_id = ? ORDER BY id',
      ).all(ticketId) as Interaction[],
  );
}
