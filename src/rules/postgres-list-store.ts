import type { Pool } from 'pg';
import { withClient, type PostgresConnectionOptions } from '../records/postgres/postgres-pool';
import { advisoryLockKey, openPostgresSchema, quoteSchema, statement, type Statement } from '../records/postgres/postgres-schema';
import type { ListChange, ListEntry, ListStore } from './list-store';

interface Row {
  list: string;
  value: string;
  present: boolean;
  revision: string;
  changed_at: string;
  changed_by: string;
  reason: string | null;
}

const fromRow = (r: Row): ListEntry => ({ list: r.list, value: r.value, present: r.present, revision: Number(r.revision), changedAt: r.changed_at, changedBy: r.changed_by, reason: r.reason });

/**
 * The shared list store: the `list_entries` table in PostgreSQL. A change takes one advisory lock
 * for the whole table's changes before it numbers itself (the highest revision plus one) and holds
 * it until its commit, so revisions commit in order: a replica polling "revision > N" can never
 * see N + 2 before N + 1 (a sequence could not promise that). List changes are rare; this
 * serialization costs nothing a user notices.
 */
class PostgresListStore implements ListStore {
  private readonly sql: { readonly one: Statement; readonly since: Statement; readonly next: Statement; readonly upsert: Statement };
  private readonly lockKey: string;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    schema: string,
  ) {
    const table = `${quoteSchema(schema)}.list_entries`;
    this.lockKey = advisoryLockKey('fraud-scoring', 'list-changes', schema);
    this.sql = {
      one: statement(`SELECT * FROM ${table} WHERE list = $1 AND value = $2`),
      since: statement(`SELECT * FROM ${table} WHERE revision > $1 ORDER BY revision LIMIT $2`),
      next: statement(`SELECT COALESCE(MAX(revision), 0) + 1 AS r FROM ${table}`),
      upsert: statement(
        `INSERT INTO ${table} (list, value, present, revision, changed_at, changed_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (list, value) DO UPDATE SET present = excluded.present, revision = excluded.revision,
           changed_at = excluded.changed_at, changed_by = excluded.changed_by, reason = excluded.reason`,
      ),
    };
  }

  change(c: ListChange): Promise<ListEntry> {
    return withClient(this.pool, async (client) => {
      await client.query('BEGIN; SET LOCAL synchronous_commit TO on');
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
      const revision = Number((await client.query<{ r: string }>(this.sql.next)).rows[0]?.r);
      await client.query({ ...this.sql.upsert, values: [c.list, c.value, c.present, revision, c.changedAt, c.changedBy, c.reason] });
      await client.query('COMMIT');
      return { ...c, revision };
    });
  }

  async get(list: string, value: string): Promise<ListEntry | null> {
    const res = await this.pool.query<Row>({ ...this.sql.one, values: [list, value] });
    const row = res.rows[0];
    return row === undefined ? null : fromRow(row);
  }

  async changesSince(revision: number, limit: number): Promise<ListEntry[]> {
    const res = await this.pool.query<Row>({ ...this.sql.since, values: [revision, limit] });
    return res.rows.map(fromRow);
  }

  /** Ends the pool if this store created it; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.end();
  }
}

/**
 * Opens the PostgreSQL list store: resolves the pool, creates the schema and tables if absent, and
 * returns a ready store. Rejects with the driver's error when the database is unreachable.
 */
export async function createPostgresListStore(opts: PostgresConnectionOptions): Promise<ListStore> {
  const { pool, owned, schema } = await openPostgresSchema(opts);
  return new PostgresListStore(pool, owned, schema);
}
