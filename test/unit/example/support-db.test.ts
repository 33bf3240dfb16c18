import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, statement, type Db } from '../../../examples/support-service/src/db/database.js';
import { addInteraction, createTicket, listInteractions } from '../../../examples/support-service/src/db/tickets.js';
import { insertCompany } from '../../../examples/support-service/src/db/api-keys.js';

const opened: { db: Db; dir: string }[] = [];
function open(): Db {
  const dir = mkdtempSync(path.join(tmpdir(), 'support-db-'));
  const db = openDatabase(path.join(dir, 'support.db'));
  opened.push({ db, dir });
  return db;
}
afterEach(() => {
  for (const { db, dir } of opened.splice(0)) {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('prepared statements', () => {
  it('compiles each SQL text once per database and reuses it across calls', () => {
    const first = open();
    const second = open();
    const sql = 'SELECT COUNT(*) AS n FROM tickets';
    expect(statement(first, sql)).toBe(statement(first, sql));
    expect(statement(second, sql)).not.toBe(statement(first, sql));
    expect(statement(first, 'SELECT COUNT(*) AS n FROM companies')).not.toBe(statement(first, sql));
  });

  it('reads back what reused statements wrote, with fresh parameters each time', () => {
    const db = open();
    insertCompany(db, 'acme', 'Acme');
    const ticket = createTicket(db, 'acme', 'customer-1', 'web');
    addInteraction(db, ticket.id, { role: 'customer', text: 'first', confidence: null });
    addInteraction(db, ticket.id, { role: 'assistant', text: 'second', confidence: 0.9 });
    const other = createTicket(db, 'acme', 'customer-2', 'email');
    addInteraction(db, other.id, { role: 'customer', text: 'elsewhere', confidence: null });
    expect(listInteractions(db, ticket.id).map((i) => [i.role, i.text, i.confidence])).toEqual([
      ['customer', 'first', null],
      ['assistant', 'second', 0.9],
    ]);
    expect(listInteractions(db, other.id).map((i) => i.text)).toEqual(['elsewhere']);
  });
});
