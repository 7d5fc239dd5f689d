import type Database from 'better-sqlite3';
import type { ListChange, ListEntry, ListStore } from './list-store';

interface Row {
  list: string;
  value: string;
  present: number;
  revision: number;
  changed_at: string;
  changed_by: string;
  reason: string | null;
}

const fromRow = (r: Row): ListEntry => ({ list: r.list, value: r.value, present: r.present === 1, revision: r.revision, changedAt: r.changed_at, changedBy: r.changed_by, reason: r.reason });

/**
 * The embedded list store: the `list_entries` table of the SQLite database (see
 * sqlite-database.ts). SQLite runs one write transaction at a time, so each change's revision (the
 * highest so far plus one) is assigned in commit order.
 */
export class SqliteListStore implements ListStore {
  private readonly changeTx: Database.Transaction<(c: ListChange) => ListEntry>;
  private readonly one: Database.Statement<[string, string], Row>;
  private readonly since: Database.Statement<[number, number], Row>;

  constructor(db: Database.Database) {
    this.one = db.prepare('SELECT * FROM list_entries WHERE list = ? AND value = ?');
    this.since = db.prepare('SELECT * FROM list_entries WHERE revision > ? ORDER BY revision LIMIT ?');
    const next = db.prepare<[], { r: number }>('SELECT COALESCE(MAX(revision), 0) + 1 AS r FROM list_entries');
    const upsert = db.prepare(
      `INSERT INTO list_entries (list, value, present, revision, changed_at, changed_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (list, value) DO UPDATE SET present = excluded.present, revision = excluded.revision,
         changed_at = excluded.changed_at, changed_by = excluded.changed_by, reason = excluded.reason`,
    );
    this.changeTx = db.transaction((c: ListChange) => {
      const revision = (next.get() as { r: number }).r;
      upsert.run(c.list, c.value, c.present ? 1 : 0, revision, c.changedAt, c.changedBy, c.reason);
      return { ...c, revision };
    });
  }

  change(c: ListChange): Promise<ListEntry> {
    try {
      return Promise.resolve(this.changeTx.immediate(c));
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  get(list: string, value: string): Promise<ListEntry | null> {
    const r = this.one.get(list, value);
    return Promise.resolve(r === undefined ? null : fromRow(r));
  }

  changesSince(revision: number, limit: number): Promise<ListEntry[]> {
    return Promise.resolve(this.since.all(revision, limit).map(fromRow));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
