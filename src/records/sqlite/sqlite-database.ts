import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { addDecisionColumnsSql, createDecisionsTableSql } from '../decision-table-sql';

const SCHEMA = `
${createDecisionsTableSql('sqlite', 'decisions')}
CREATE INDEX IF NOT EXISTS decisions_event_time ON decisions (event_time);
CREATE TABLE IF NOT EXISTS labels (
  seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id      TEXT NOT NULL,
  source              TEXT NOT NULL,
  label               TEXT NOT NULL,
  reported_at         TEXT NOT NULL,
  reported_at_seconds INTEGER NOT NULL,
  received_at         TEXT NOT NULL,
  UNIQUE (transaction_id, source)
);
CREATE INDEX IF NOT EXISTS labels_reported_at ON labels (reported_at_seconds);
`;

/** Label-store columns added after the first schema: (table, column, definition). The decisions table's come from its field table. */
const ADDED_COLUMNS: readonly (readonly [string, string, string])[] = [
  ['labels', 'user_id', 'TEXT'],
  ['labels', 'merchant_id', 'TEXT'],
  ['labels', 'event_time', 'INTEGER'],
  ['labels', 'fraud_change', 'INTEGER NOT NULL DEFAULT 0'],
  ['labels', 'user_version', 'INTEGER'],
  ['labels', 'merchant_version', 'INTEGER'],
  ['labels', 'client', 'TEXT'],
];

/** Indexes over the added columns (created after them), and tables added since. */
const ADDED_INDEXES = `
CREATE INDEX IF NOT EXISTS decisions_unapplied ON decisions (seq) WHERE user_version IS NULL OR merchant_version IS NULL;
CREATE INDEX IF NOT EXISTS labels_unapplied ON labels (seq) WHERE fraud_change <> 0 AND (user_version IS NULL OR merchant_version IS NULL);
CREATE INDEX IF NOT EXISTS decisions_decided_at ON decisions (decided_at);
CREATE INDEX IF NOT EXISTS labels_received_at ON labels (received_at);
CREATE TABLE IF NOT EXISTS checkpoints (
  role      TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  version   INTEGER NOT NULL,
  profile   TEXT NOT NULL,
  cut_at    TEXT NOT NULL,
  PRIMARY KEY (role, entity_id)
);
CREATE TABLE IF NOT EXISTS list_entries (
  list       TEXT NOT NULL,
  value      TEXT NOT NULL,
  present    INTEGER NOT NULL,
  revision   INTEGER NOT NULL,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  reason     TEXT,
  PRIMARY KEY (list, value)
);
CREATE INDEX IF NOT EXISTS list_entries_revision ON list_entries (revision);
`;

/**
 * Adds columns introduced after a database file was created, and their indexes. Records written
 * before profiles had versions keep null versions: they are not part of any entity's history.
 */
function migrate(db: Database.Database): void {
  const columns = (table: string) => new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
  for (const sql of addDecisionColumnsSql('sqlite', 'decisions', columns('decisions'))) db.exec(sql);
  for (const [table, column, definition] of ADDED_COLUMNS) if (!columns(table).has(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  db.exec(ADDED_INDEXES);
}

/** A database file the process cannot write: the service refuses to start rather than fail later. */
export class DatabaseNotWritableError extends Error {
  override readonly name = 'DatabaseNotWritableError';
}

/**
 * Checks that the database file and its `-wal` and `-shm` files, where they exist, can be
 * written. SQLite maps a `-shm` it cannot write read-only, and a process touching such a mapping
 * past the file's end dies by SIGBUS with nothing logged: refusing here turns that into an error.
 */
function checkWritable(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw new DatabaseNotWritableError(`${file} is not writable (${(err as NodeJS.ErrnoException).code}): the service needs to write the database and its -wal and -shm files`);
    }
  }
}

/**
 * Opens (creating if needed) the embedded database: WAL journal, `synchronous = FULL` so a
 * committed label survives a crash or power loss, and the decision and label tables. Writes once
 * (the header's user_version) so a database that cannot be written fails here, at start. Throws
 * DatabaseNotWritableError for a file (or its -wal or -shm) that cannot be written.
 */
export function openSqlite(path: string): Database.Database {
  if (path !== ':memory:') {
    mkdirSync(dirname(path), { recursive: true });
    checkWritable(path);
  }
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
    migrate(db);
    const version = db.pragma('user_version', { simple: true }) as number;
    db.pragma(`user_version = ${version}`);
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_READONLY') === true || (err as { code?: string }).code === 'SQLITE_CANTOPEN') {
      throw new DatabaseNotWritableError(`${path} cannot be written (${(err as Error).message}): check the permissions of the file, its -wal and -shm files and the folder`);
    }
    throw err;
  }
  return db;
}
