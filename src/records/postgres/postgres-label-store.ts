import type { Pool, PoolClient } from 'pg';
import type { EntityRole, Label, LabelSource } from '../../../features';
import { labelFraudChange, unappliedRoles, type AddLabelResult, type LabelRecord, type LabelStore, type NewLabel, type UnappliedLabel } from '../label-store';
import { withClient, type PostgresConnectionOptions } from './postgres-pool';
import { advisoryLockKey, openPostgresSchema, quoteSchema, statement, type Statement } from './postgres-schema';

interface Row {
  transaction_id: string;
  source: string;
  label: string;
  reported_at: string;
  reported_at_seconds: string;
  received_at: string;
  user_id: string | null;
  merchant_id: string | null;
  event_time: string | null;
  fraud_change: number;
  client: string | null;
  user_version: string | null;
  merchant_version: string | null;
}

const nullableNumber = (v: string | null): number | null => (v === null ? null : Number(v));

function fromRow(r: Row): LabelRecord {
  return {
    transactionId: r.transaction_id,
    source: r.source as LabelSource,
    label: r.label as Label,
    reportedAt: r.reported_at,
    reportedAtSeconds: Number(r.reported_at_seconds),
    receivedAt: r.received_at,
    userId: r.user_id ?? '',
    merchantId: r.merchant_id ?? '',
    eventTime: r.event_time === null ? 0 : Number(r.event_time),
    fraudChange: r.fraud_change,
    client: r.client,
    userVersion: nullableNumber(r.user_version),
    merchantVersion: nullableNumber(r.merchant_version),
  };
}

const COLUMNS = 'transaction_id, source, label, reported_at, reported_at_seconds, received_at, user_id, merchant_id, event_time, fraud_change, client';
const SELECTED = `${COLUMNS}, user_version, merchant_version`;

/** The production label store: a PostgreSQL table; each add is its own durable transaction. */
class PostgresLabelStore implements LabelStore {
  private readonly sql: {
    readonly lock: Statement;
    readonly byTxn: Statement;
    readonly arrived: Statement;
    readonly insert: Statement;
    readonly applied: Record<EntityRole, Statement>;
    readonly unapplied: Statement;
  };

  constructor(
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    private readonly schema: string,
  ) {
    const table = `${quoteSchema(schema)}.labels`;
    this.sql = {
      lock: statement('SELECT pg_advisory_xact_lock($1::bigint)'),
      byTxn: statement(`SELECT ${SELECTED} FROM ${table} WHERE transaction_id = $1 ORDER BY seq`),
      arrived: statement(`SELECT ${SELECTED} FROM ${table} WHERE reported_at_seconds >= $1 AND reported_at_seconds < $2 ORDER BY reported_at_seconds, seq`),
      applied: {
        user: statement(`UPDATE ${table} SET user_version = $1 WHERE transaction_id = $2 AND source = $3`),
        merchant: statement(`UPDATE ${table} SET merchant_version = $1 WHERE transaction_id = $2 AND source = $3`),
      },
      unapplied: statement(
        `SELECT ${SELECTED} FROM ${table} WHERE fraud_change <> 0 AND (user_version IS NULL OR merchant_version IS NULL) AND received_at < $1 ORDER BY seq LIMIT $2`,
      ),
      insert: statement(`INSERT INTO ${table} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`),
    };
  }

  add(label: NewLabel, receivedAt: string): Promise<AddLabelResult> {
    return withClient(this.pool, (client) => this.addIn(client, label, receivedAt));
  }

  async forTransaction(transactionId: string): Promise<LabelRecord[]> {
    const res = await this.pool.query<Row>({ ...this.sql.byTxn, values: [transactionId] });
    return res.rows.map(fromRow);
  }

  async markApplied(transactionId: string, source: LabelSource, role: EntityRole, version: number): Promise<void> {
    await this.pool.query({ ...this.sql.applied[role], values: [version, transactionId, source] });
  }

  async unapplied(receivedBefore: string, limit: number): Promise<UnappliedLabel[]> {
    const res = await this.pool.query<Row>({ ...this.sql.unapplied, values: [receivedBefore, limit] });
    return res.rows.map((r) => {
      const record = fromRow(r);
      return { record, roles: unappliedRoles(record) };
    });
  }

  async listArrived(fromEpochSeconds: number, toEpochSeconds: number): Promise<LabelRecord[]> {
    const res = await this.pool.query<Row>({ ...this.sql.arrived, values: [fromEpochSeconds, toEpochSeconds] });
    return res.rows.map(fromRow);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }

  private async addIn(client: PoolClient, label: NewLabel, receivedAt: string): Promise<AddLabelResult> {
    // synchronous_commit on for this transaction whatever the server default: COMMIT returns only once durable.
    await client.query('BEGIN; SET LOCAL synchronous_commit TO on');
    // Serializes adds for one transaction (also across processes) before reading, so `previous` is exact;
    // a row lock cannot do it, there being no row to lock before the first label.
    await client.query({
      ...this.sql.lock,
      values: [advisoryLockKey('fraud-scoring', 'labels', this.schema, label.transactionId)],
    });
    const previous = (await client.query<Row>({ ...this.sql.byTxn, values: [label.transactionId] })).rows.map(fromRow);
    const same = previous.find((p) => p.source === label.source);
    if (same !== undefined) {
      await client.query('ROLLBACK');
      return same.label === label.label ? { kind: 'duplicate', existing: same } : { kind: 'conflict', existing: same };
    }
    const fraudChange = labelFraudChange(previous, label);
    await client.query({
      ...this.sql.insert,
      values: [label.transactionId, label.source, label.label, label.reportedAt, label.reportedAtSeconds, receivedAt, label.userId, label.merchantId, label.eventTime, fraudChange, label.client],
    });
    await client.query('COMMIT');
    return { kind: 'added', record: { ...label, receivedAt, fraudChange, userVersion: null, merchantVersion: null }, previous };
  }
}

/**
 * Opens the PostgreSQL label store: resolves the pool, creates the schema and tables if absent,
 * and returns a ready store. Semantics are the SQLite store's: one label per (transactionId,
 * source); `add` runs in one transaction holding a per-transactionId advisory lock, so concurrent
 * adds for one transaction serialize and each sees exactly the labels committed before it; it
 * resolves after COMMIT (with `synchronous_commit = on`) and rejects with the driver's error when
 * the database is down (nothing is stored then, or, if COMMIT itself was cut off, a retry gets
 * `duplicate`). `close()` ends the pool only if it created it. Throws a RangeError for an invalid
 * schema name, or the driver's error when the database is unreachable at start.
 */
export async function createPostgresLabelStore(opts: PostgresConnectionOptions): Promise<LabelStore> {
  const { pool, owned, schema } = await openPostgresSchema(opts);
  return new PostgresLabelStore(pool, owned, schema);
}
