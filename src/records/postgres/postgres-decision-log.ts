import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Pool } from 'pg';
import type { WriteState } from '../buffered-writer';
import { DecisionBuffer, type DecisionWriterOptions } from '../decision-buffer';
import { unappliedDecisionRoles, type AppliedVersion, type DecisionLog, type DecisionRange, type LoggedDecision, type UnappliedDecision } from '../decision-log';
import type { DecisionRecord } from '../decision-record';
import { decisionFromRow, insertDecisionsParams, insertDecisionsSql, type DecisionRow } from './postgres-decision-rows';
import { resolvePool, type PostgresConnectionOptions } from './postgres-pool';
import { openPostgresSchema, quoteSchema, statement, type Statement } from './postgres-schema';

/** Batching, buffer bound and spill file of the decision log (the codec is fixed). */
export type PostgresWriterOptions = DecisionWriterOptions;

export type PostgresDecisionLogOptions = PostgresConnectionOptions & {
  readonly writer: PostgresWriterOptions;
  /**
   * Connections for the batch inserts alone, so a commit never queues behind other queries (label
   * transactions, look-ups, reconciliation) on a busy pool. Default: two of its own when the log
   * has a connection string, the given pool otherwise.
   */
  readonly writerPool?: Pool;
};

/**
 * The production decision log: a PostgreSQL table shared by every replica, written in batched
 * multi-row inserts (group commit: one commit per batch of up to `batchSize` records, at least
 * every `flushMs`).
 */
class PostgresDecisionLog implements DecisionLog {
  readonly kind = 'postgres';
  private readonly buffer: DecisionBuffer;
  private readonly sql: {
    readonly insert: Statement;
    readonly one: Statement;
    readonly some: Statement;
    readonly range: Statement;
    readonly setVersions: Statement;
    readonly unapplied: Statement;
    readonly history: Statement;
  };
  /** Callers of `commit` waiting for their record's batch, by transactionId. */
  private readonly waiting = new Map<string, ((stored: DecisionRecord) => void)[]>();

  constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    private readonly writerPool: { readonly pool: Pool; readonly owned: boolean },
    schema: string,
    writer: PostgresWriterOptions,
  ) {
    const table = `${quoteSchema(schema)}.decisions`;
    this.sql = {
      insert: statement(insertDecisionsSql(schema)),
      one: statement(`SELECT * FROM ${table} WHERE transaction_id = $1`),
      some: statement(`SELECT * FROM ${table} WHERE transaction_id = ANY($1::text[])`),
      range: statement(`SELECT * FROM ${table} WHERE event_time >= $1 AND event_time < $2 ORDER BY seq`),
      // One row updated once per transaction (a row updated by two parts of one statement keeps one change).
      setVersions: statement(`WITH v AS (
  SELECT id, max(version) FILTER (WHERE role = 'user') AS uv, max(version) FILTER (WHERE role = 'merchant') AS mv
  FROM unnest($1::text[], $2::text[], $3::bigint[]) AS x(id, role, version) GROUP BY id
), u AS (
  UPDATE ${table} d SET user_version = COALESCE(d.user_version, v.uv), merchant_version = COALESCE(d.merchant_version, v.mv)
  FROM v WHERE d.transaction_id = v.id RETURNING d.transaction_id
)
SELECT transaction_id FROM u`),
      unapplied: statement(`SELECT * FROM ${table} WHERE (user_version IS NULL OR merchant_version IS NULL) AND decided_at < $1 ORDER BY seq LIMIT $2`),
      history: statement(`SELECT 1 FROM ${table} WHERE user_version IS NOT NULL OR merchant_version IS NOT NULL LIMIT 1`),
    };
    // The sink rejects whenever the insert did not commit (server down, connection lost), so the batch is kept.
    this.buffer = new DecisionBuffer({ write: (batch) => this.insert(batch) }, writer);
  }

  append(record: DecisionRecord): void {
    this.buffer.append(record);
  }

  commit(record: DecisionRecord): Promise<DecisionRecord> {
    const committed = new Promise<DecisionRecord>((resolve) => {
      const list = this.waiting.get(record.transactionId);
      if (list === undefined) this.waiting.set(record.transactionId, [resolve]);
      else list.push(resolve);
      this.buffer.append(record);
    });
    // A committed batch settles its waiters before the buffer learns it is written, so this
    // resolves with the stored record; a persisted one (the log is down) with its own.
    return Promise.race([committed, this.buffer.durable(record.transactionId).then(() => record)]);
  }

  persist(): Promise<void> {
    return this.buffer.persist();
  }

  durable(transactionId: string): Promise<void> {
    return this.buffer.durable(transactionId);
  }

  writeState(stallMs: number): WriteState {
    return this.buffer.writeState(stallMs);
  }

  pendingSync(transactionId: string): DecisionRecord | null {
    return this.buffer.find(transactionId) ?? null;
  }

  async get(transactionId: string): Promise<DecisionRecord | null> {
    const pending = this.buffer.find(transactionId);
    if (pending !== undefined) return pending;
    return this.getCommitted(transactionId);
  }

  async getCommitted(transactionId: string): Promise<DecisionRecord | null> {
    const res = await this.pool.query<DecisionRow>({ ...this.sql.one, values: [transactionId] });
    const row = res.rows[0];
    return row === undefined ? null : decisionFromRow(row);
  }

  async list(range: DecisionRange): Promise<LoggedDecision[]> {
    const res = await this.pool.query<DecisionRow>({ ...this.sql.range, values: [range.fromEpochSeconds, range.toEpochSeconds] });
    return res.rows.map(decisionFromRow);
  }

  async setAppliedVersions(versions: readonly AppliedVersion[]): Promise<boolean[]> {
    const wanted = versions.filter((v) => this.buffer.find(v.transactionId) === undefined);
    if (wanted.length === 0) return versions.map(() => false);
    const res = await this.pool.query<{ transaction_id: string }>({
      ...this.sql.setVersions,
      values: [wanted.map((v) => v.transactionId), wanted.map((v) => v.role), wanted.map((v) => v.version)],
    });
    const stored = new Set(res.rows.map((r) => r.transaction_id));
    return versions.map((v) => stored.has(v.transactionId) && this.buffer.find(v.transactionId) === undefined);
  }

  async hasHistory(): Promise<boolean> {
    const res = await this.pool.query({ ...this.sql.history });
    return res.rows.length > 0 || this.buffer.pending() > 0;
  }

  async unapplied(decidedBefore: string, limit: number): Promise<UnappliedDecision[]> {
    const res = await this.pool.query<DecisionRow>({ ...this.sql.unapplied, values: [decidedBefore, limit] });
    return res.rows.map((r) => ({ transaction: r.transaction_json, roles: unappliedDecisionRoles(decisionFromRow(r)) }));
  }

  pending(): number {
    return this.buffer.pending();
  }

  flush(): Promise<void> {
    return this.buffer.flush();
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.buffer.close();
    if (this.writerPool.owned) await this.writerPool.pool.end();
    if (this.ownsPool) await this.pool.end();
  }

  /**
   * Opens the writer connections and prepares the insert on each (an empty batch inserts
   * nothing), so the first answers after a start do not pay a connection and a prepare inside
   * their commit deadline. Best effort: a failure here is the first write's to report.
   */
  async warm(connections: number): Promise<void> {
    const empty = { ...this.sql.insert, values: insertDecisionsParams([]) };
    await Promise.all(Array.from({ length: connections }, () => this.writerPool.pool.query(empty).catch(() => undefined)));
  }

  private async insert(batch: readonly DecisionRecord[]): Promise<void> {
    // A single statement commits atomically on its own (autocommit), before its answer arrives:
    // all of the batch or none.
    const res = await this.writerPool.pool.query<{ transaction_id: string }>({ ...this.sql.insert, values: insertDecisionsParams(batch) });
    if (this.waiting.size === 0) return;
    const inserted = new Set(res.rows.map((r) => r.transaction_id));
    const lost: string[] = [];
    for (const r of batch) {
      const waiters = this.waiting.get(r.transactionId);
      if (waiters === undefined) continue;
      if (inserted.has(r.transactionId)) this.settle(r.transactionId, r, waiters);
      else lost.push(r.transactionId);
    }
    if (lost.length === 0) return;
    // Another replica committed these ids first: their callers get its records. (Should this read
    // fail, the batch is written again, as a no-op, and read again.)
    const stored = await this.writerPool.pool.query<DecisionRow>({ ...this.sql.some, values: [lost] });
    for (const row of stored.rows) {
      const waiters = this.waiting.get(row.transaction_id);
      if (waiters !== undefined) this.settle(row.transaction_id, decisionFromRow(row), waiters);
    }
  }

  private settle(transactionId: string, stored: DecisionRecord, waiters: readonly ((stored: DecisionRecord) => void)[]): void {
    this.waiting.delete(transactionId);
    for (const resolve of waiters) resolve(stored);
  }
}

/** Connections of the writer pool a connection string gets (batches overlap at most this much). */
const WRITER_CONNECTIONS = 2;

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
  quoteSchema(opts.schema ?? 'public');
  // The spill file must be writable the moment the database goes away.
  await mkdir(dirname(opts.writer.spillPath), { recursive: true });
  const { pool, owned, schema } = await openPostgresSchema(opts);
  // Created after the schema exists: a new pool connects lazily, so this never throws.
  const writerPool =
    opts.writerPool !== undefined
      ? { pool: opts.writerPool, owned: false }
      : 'connectionString' in opts
        ? resolvePool({ connectionString: opts.connectionString, maxConnections: WRITER_CONNECTIONS, ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: opts.connectTimeoutMs }) })
        : { pool, owned: false };
  const log = new PostgresDecisionLog(pool, owned, writerPool, schema, opts.writer);
  await log.warm(WRITER_CONNECTIONS);
  return log;
}
