import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Pool } from 'pg';
import { DecisionBuffer, type DecisionWriterOptions } from './decision-buffer';
import type { DecisionLog, DecisionRange, LoggedDecision } from './decision-log';
import type { DecisionRecord } from './decision-record';
import { decisionFromRow, insertDecisionsParams, insertDecisionsSql, type DecisionRow } from './postgres-decision-rows';
import { resolvePool, type PostgresConnectionOptions } from './postgres-pool';
import { ensurePostgresSchema, quoteSchema, statement, type Statement } from './postgres-schema';

/** Batching, buffer bound and spill file of the decision log (the codec is fixed). */
export type PostgresWriterOptions = DecisionWriterOptions;

export type PostgresDecisionLogOptions = PostgresConnectionOptions & { readonly writer: PostgresWriterOptions };

/** The production decision log: a PostgreSQL table written in batched multi-row inserts. */
class PostgresDecisionLog implements DecisionLog {
  readonly kind = 'postgres';
  private readonly buffer: DecisionBuffer;
  private readonly sql: { readonly insert: Statement; readonly one: Statement; readonly range: Statement; readonly maxSeq: Statement };

  constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    schema: string,
    writer: PostgresWriterOptions,
  ) {
    const table = `${quoteSchema(schema)}.decisions`;
    this.sql = {
      insert: statement(insertDecisionsSql(schema)),
      one: statement(`SELECT * FROM ${table} WHERE transaction_id = $1`),
      range: statement(`SELECT * FROM ${table} WHERE event_time >= $1 AND event_time < $2 ORDER BY seq`),
      maxSeq: statement(`SELECT COALESCE(MAX(apply_seq), 0) AS m FROM ${table}`),
    };
    // The sink rejects whenever the insert did not commit (server down, connection lost), so the batch is kept.
    this.buffer = new DecisionBuffer({ write: (batch) => this.insert(batch) }, writer);
  }

  append(record: DecisionRecord): void {
    this.buffer.append(record);
  }

  async get(transactionId: string): Promise<DecisionRecord | null> {
    const pending = this.buffer.find(transactionId);
    if (pending !== undefined) return pending;
    const res = await this.pool.query<DecisionRow>({ ...this.sql.one, values: [transactionId] });
    const row = res.rows[0];
    return row === undefined ? null : decisionFromRow(row);
  }

  async list(range: DecisionRange): Promise<LoggedDecision[]> {
    const res = await this.pool.query<DecisionRow>({ ...this.sql.range, values: [range.fromEpochSeconds, range.toEpochSeconds] });
    return res.rows.map(decisionFromRow);
  }

  pending(): number {
    return this.buffer.pending();
  }

  async maxApplySeq(): Promise<number> {
    const res = await this.pool.query<{ m: string }>({ ...this.sql.maxSeq });
    return Math.max(Number(res.rows[0]?.m ?? 0), this.buffer.maxApplySeq());
  }

  flush(): Promise<void> {
    return this.buffer.flush();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.buffer.close();
    if (this.ownsPool) await this.pool.end();
  }

  private async insert(batch: readonly DecisionRecord[]): Promise<void> {
    // A single statement commits atomically on its own (autocommit): all of the batch or none.
    await this.pool.query({ ...this.sql.insert, values: insertDecisionsParams(batch) });
  }
}

/**
 * Opens the PostgreSQL decision log: resolves the pool, creates the schema and tables if absent,
 * and returns a log that is ready (a spill file left by an earlier process is being replayed).
 * Appends are batched into one multi-row `INSERT ... ON CONFLICT (transaction_id) DO NOTHING` each;
 * while the database is down they are buffered, spilled to `writer.spillPath` past
 * `writer.maxBuffered`, and replayed in order when it recovers. `get` answers from memory for
 * records not yet written (spilled ones included); `list` and `get` reject while the database is
 * down. `close()` flushes (spilling what cannot be written) and ends the pool only if it created it.
 * Throws a RangeError for an invalid schema name, the file system's error when the spill
 * directory cannot be created, or the driver's error when the database is unreachable at start
 * (a pool it created is ended first).
 */
export async function createPostgresDecisionLog(opts: PostgresDecisionLogOptions): Promise<DecisionLog> {
  const schema = opts.schema ?? 'public';
  quoteSchema(schema);
  // The spill file must be writable the moment the database goes away.
  await mkdir(dirname(opts.writer.spillPath), { recursive: true });
  const { pool, owned } = resolvePool(opts);
  try {
    await ensurePostgresSchema(pool, schema);
  } catch (err) {
    if (owned) await pool.end();
    throw err;
  }
  return new PostgresDecisionLog(pool, owned, schema, opts.writer);
}
