/**
 * Opens the SQLite database, creating its directory, and brings the schema up to date. Migrations are
 * append-only: each runs once, in order, inside a transaction, and `schema_migrations` remembers it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { setDbNamespace } from './traced.js';

export type Db = Database.Database;

/**
 * Each database's statements, compiled once: `prepare` parses and plans the SQL in SQLite on every call, and on
 * the ingest path that was the service's largest single cost. Keyed by the SQL text, which is always a literal
 * of this module's callers, so the cache is bounded by the code.
 */
const statements = new WeakMap<Db, Map<string, Database.Statement>>();

export function statement(db: Db, sql: string): Database.Statement {
  let compiled = statements.get(db);
  if (compiled === undefined) statements.set(db, (compiled = new Map()));
  let prepared = compiled.get(sql);
  if (prepared === undefined) compiled.set(sql, (prepared = db.prepare(sql)));
  return prepared;
}

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE companies (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     company_id TEXT NOT NULL REFERENCES companies(id),
     key_hash TEXT NOT NULL UNIQUE,
     name TEXT NOT NULL,
     role TEXT NOT NULL,
     created_at TEXT NOT NULL,
     revoked_at TEXT
   );
   CREATE TABLE tickets (
     id TEXT PRIMARY KEY,
     company_id TEXT NOT NULL REFERENCES companies(id),
     external_user_id TEXT NOT NULL,
     channel TEXT NOT NULL,
     status TEXT NOT NULL,
     category TEXT,
     priority TEXT,
     sentiment TEXT,
     queue TEXT,
     confidence REAL,
     escalated INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX tickets_by_customer ON tickets(company_id, external_user_id, status);
   CREATE TABLE interactions (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     ticket_id TEXT NOT NULL REFERENCES tickets(id),
     role TEXT NOT NULL,
     text TEXT NOT NULL,
     confidence REAL,
     created_at TEXT NOT NULL
   );
   CREATE INDEX interactions_by_ticket ON interactions(ticket_id, id);
   CREATE TABLE escalations (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     ticket_id TEXT NOT NULL REFERENCES tickets(id),
     company_id TEXT NOT NULL REFERENCES companies(id),
     reason TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     last_error TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX escalations_by_status ON escalations(status, id);`,
];

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  const current = row.version ?? 0;
  const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
  MIGRATIONS.forEach((sql, index) => {
    const version = index + 1;
    if (version <= current) return;
    db.transaction(() => {
      db.exec(sql);
      record.run(version, new Date().toISOString());
    })();
  });
}

export function openDatabase(file: string): Db {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  setDbNamespace(path.basename(file, path.extname(file)));
  return db;
}
