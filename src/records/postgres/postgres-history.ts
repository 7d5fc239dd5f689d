import type { Pool, QueryResultRow } from 'pg';
import type { AssignedVersion, DecisionHistory, HistoryQuery, HistoryRow, ServedQuery, ServedRow } from '../decision-history';
import type { StoredProfile } from '../../store/profile-store';
import {
  bindHistory,
  checkpointValues,
  countServedSql,
  dropCheckpointedSql,
  entityHistorySql,
  rowsBeforeSql,
  historyRowOf,
  saveCheckpointSql,
  servedRowOf,
  servedSql,
  type HistorySqlRow,
  type HistoryTables,
  type ServedSqlRow,
} from '../history-sql';
import { withClient, type PostgresConnectionOptions } from './postgres-pool';
import { openPostgresSchema, quoteSchema } from './postgres-schema';

/** Rows fetched per round trip of a cursor. */
const FETCH = 2_000;

/**
 * Streams a query's rows through a server-side cursor (one connection, one read-only transaction,
 * so one consistent snapshot), `FETCH` rows at a time: memory stays bounded whatever the result size.
 */
async function* cursorRows<R extends QueryResultRow>(pool: Pool, text: string, values: readonly unknown[]): AsyncGenerator<R> {
  const client = await pool.connect();
  let open = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    open = true;
    await client.query({ text: `DECLARE fraud_history NO SCROLL CURSOR FOR ${text}`, values: [...values] });
    for (;;) {
      const res = await client.query<R>(`FETCH ${FETCH} FROM fraud_history`);
      if (res.rows.length === 0) break;
      yield* res.rows;
    }
    await client.query('COMMIT');
    open = false;
  } finally {
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

class PostgresHistory implements DecisionHistory {
  private readonly decisions: string;
  private readonly labels: string;
  private readonly tables: HistoryTables;

  constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    schema: string,
  ) {
    this.decisions = `${quoteSchema(schema)}.decisions`;
    this.labels = `${quoteSchema(schema)}.labels`;
    this.tables = { decisions: this.decisions, labels: this.labels, checkpoints: `${quoteSchema(schema)}.checkpoints` };
  }

  async *entityHistory(q: HistoryQuery): AsyncGenerator<HistoryRow> {
    const { text, values } = bindHistory('postgres', entityHistorySql('postgres', this.tables, q), {
      before: q.before,
      from: q.reads?.from ?? 0,
      to: q.reads?.to ?? 0,
    });
    for await (const r of cursorRows<HistorySqlRow>(this.pool, text, values)) yield historyRowOf(r);
  }

  async unreadVectors(from: number, to: number, before: string | null): Promise<{ total: number; byReason: Record<string, number> }> {
    const where = `(d.user_read_version IS NULL OR d.merchant_read_version IS NULL) AND d.event_time >= $1 AND d.event_time < $2 AND ($3::text IS NULL OR d.decided_at < $3)`;
    const [total, reasons] = await Promise.all([
      this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.decisions} d WHERE ${where}`, [from, to, before]),
      this.pool.query<{ reason: string; n: string }>(`SELECT r AS reason, count(*) AS n FROM ${this.decisions} d, unnest(d.degraded_reasons) r WHERE ${where} GROUP BY r ORDER BY r`, [from, to, before]),
    ]);
    return { total: Number(total.rows[0]?.n ?? 0), byReason: Object.fromEntries(reasons.rows.map((r) => [r.reason, Number(r.n)])) };
  }

  async *served(q: ServedQuery): AsyncGenerator<ServedRow> {
    for await (const r of cursorRows<ServedSqlRow>(this.pool, servedSql('postgres', this.decisions, this.labels), [q.from, q.to, q.specHash, q.asOf])) yield servedRowOf(r);
  }

  async countServed(q: ServedQuery): Promise<number> {
    const res = await this.pool.query<{ n: string }>(countServedSql('postgres', this.decisions), [q.from, q.to, q.specHash]);
    return Number(res.rows[0]?.n ?? 0);
  }

  async assignVersions(versions: readonly AssignedVersion[]): Promise<void> {
    if (versions.length === 0) return;
    await withClient(this.pool, async (client) => {
      await client.query('BEGIN');
      try {
        for (const role of ['user', 'merchant'] as const) {
          const column = role === 'user' ? 'user_version' : 'merchant_version';
          const txns = versions.filter((v) => v.role === role && v.kind === 'transaction');
          const labels = versions.filter((v) => v.role === role && v.kind === 'label');
          if (txns.length > 0) {
            await client.query(
              `UPDATE ${this.decisions} d SET ${column} = v.version FROM unnest($1::text[], $2::bigint[]) AS v(id, version) WHERE d.transaction_id = v.id AND d.${column} IS NULL`,
              [txns.map((v) => v.transactionId), txns.map((v) => v.version)],
            );
          }
          if (labels.length > 0) {
            await client.query(
              `UPDATE ${this.labels} l SET ${column} = v.version FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v(id, source, version)
               WHERE l.transaction_id = v.id AND l.source = v.source AND l.${column} IS NULL`,
              [labels.map((v) => v.transactionId), labels.map((v) => v.source), labels.map((v) => v.version)],
            );
          }
        }
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async saveCheckpoints(profiles: readonly StoredProfile[], cutAt: string): Promise<void> {
    if (profiles.length === 0) return;
    const text = saveCheckpointSql('postgres', this.tables.checkpoints);
    await withClient(this.pool, async (client) => {
      await client.query('BEGIN');
      try {
        for (const p of profiles) await client.query(text, checkpointValues(p, cutAt));
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async hasRowsBefore(cut: string): Promise<boolean> {
    return (await this.pool.query(rowsBeforeSql('postgres', this.tables), [cut])).rows.length > 0;
  }

  async dropCheckpointed(cut: string, limit: number): Promise<{ decisions: number; labels: number }> {
    const sql = dropCheckpointedSql('postgres', this.tables);
    const decisions = await this.pool.query(sql.decisions, [cut, limit]);
    const labels = await this.pool.query(sql.labels, [cut, limit]);
    return { decisions: decisions.rowCount ?? 0, labels: labels.rowCount ?? 0 };
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}

/**
 * The decision history of a PostgreSQL decision log (creating its tables if absent). Throws a
 * RangeError for an invalid schema name, or the driver's error when the database is unreachable.
 */
export async function openPostgresHistory(opts: PostgresConnectionOptions): Promise<DecisionHistory> {
  const { pool, owned, schema } = await openPostgresSchema(opts);
  return new PostgresHistory(pool, owned, schema);
}
