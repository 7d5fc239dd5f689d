import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { addDecisionColumnsSql, createDecisionsTableSql } from '../decision-table-sql';
import { resolvePool, withClient, type PostgresConnectionOptions, type ResolvedPool } from './postgres-pool';

/** Schema names the adapters accept: a plain SQL identifier (quoted anyway), at most 63 bytes. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The schema name as a quoted SQL identifier (`"name"`), for interpolation into statements.
 * Throws a RangeError when `name` is not a plain identifier (letters, digits, `_`; not starting
 * with a digit; 1..63 characters), so nothing but a vetted name ever reaches SQL text.
 */
export function quoteSchema(name: string): string {
  if (!SCHEMA_NAME.test(name)) throw new RangeError(`invalid PostgreSQL schema name "${name}": expected ${SCHEMA_NAME.source}`);
  return `"${name}"`;
}

/**
 * A 64-bit advisory lock key (decimal string, for `pg_advisory_xact_lock($1::bigint)`) for a
 * purpose within a schema, e.g. `('fraud', 'label', transactionId)`. Deterministic across
 * processes; collisions only cost needless serialization, never correctness.
 */
export function advisoryLockKey(...parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest().readBigInt64BE(0).toString();
}

/** A named (prepared once per connection) statement, spread into a node-postgres query config. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/**
 * `text` as a prepared statement named after a hash of the text: names live per connection (and
 * the server compares only their first 63 bytes), so adapters sharing a pool with different
 * schemas never claim one name for two texts. Never throws.
 */
export function statement(text: string): Statement {
  return { name: `fraud-${createHash('sha256').update(text).digest('hex').slice(0, 24)}`, text };
}

/**
 * The tables of the decision log and the label store, the PostgreSQL twin of the SQLite schema
 * (see sqlite-database.ts): same columns and uniqueness rules; `seq` is a BIGSERIAL, features are
 * the float32 little-endian bytes, degraded reasons a TEXT[], the transaction exact JSON text.
 * Records written before profiles had versions keep null versions: no entity's history has them.
 * Deliberately no CHECK constraints: a record the sink refuses would block its batch forever.
 */
export function postgresSchemaSql(schema: string): string {
  const s = quoteSchema(schema);
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
${createDecisionsTableSql('postgres', `${s}.decisions`)}
${addDecisionColumnsSql('postgres', `${s}.decisions`, null).join('\n')}
CREATE INDEX IF NOT EXISTS decisions_event_time ON ${s}.decisions (event_time);
CREATE TABLE IF NOT EXISTS ${s}.labels (
  seq                 BIGSERIAL PRIMARY KEY,
  transaction_id      TEXT NOT NULL,
  source              TEXT NOT NULL,
  label               TEXT NOT NULL,
  reported_at         TEXT NOT NULL,
  reported_at_seconds BIGINT NOT NULL,
  received_at         TEXT NOT NULL,
  UNIQUE (transaction_id, source)
);
CREATE INDEX IF NOT EXISTS labels_reported_at ON ${s}.labels (reported_at_seconds);
CREATE INDEX IF NOT EXISTS decisions_unapplied ON ${s}.decisions (seq) WHERE user_version IS NULL OR merchant_version IS NULL;
ALTER TABLE ${s}.labels ADD COLUMN IF NOT EXISTS user_id TEXT;
ALTER TABLE ${s}.labels ADD COLUMN IF NOT EXISTS merchant_id TEXT;
ALTER TABLE ${s}.labels ADD COLUMN IF NOT EXISTS event_time BIGINT;
ALTER TABLE ${s}.labels ADD COLUMN IF NOT EXISTS fraud_change SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE ${s}.labels ADD COLUMN IF NOT EXISTS user_version BIGINT;
ALTER TABLE ${s}.labels ADD COLUMN IF NOT EXISTS merchant_version BIGINT;
ALTER TABLE ${s}.labels ADD COLUMN IF NOT EXISTS client TEXT;
CREATE INDEX IF NOT EXISTS labels_unapplied ON ${s}.labels (seq) WHERE fraud_change <> 0 AND (user_version IS NULL OR merchant_version IS NULL);
CREATE INDEX IF NOT EXISTS decisions_decided_at ON ${s}.decisions (decided_at);
CREATE INDEX IF NOT EXISTS labels_received_at ON ${s}.labels (received_at);
CREATE TABLE IF NOT EXISTS ${s}.checkpoints (
  role      TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  version   BIGINT NOT NULL,
  profile   TEXT NOT NULL,
  cut_at    TEXT NOT NULL,
  PRIMARY KEY (role, entity_id)
);
CREATE TABLE IF NOT EXISTS ${s}.list_entries (
  list       TEXT NOT NULL,
  value      TEXT NOT NULL,
  present    BOOLEAN NOT NULL,
  revision   BIGINT NOT NULL,
  changed_at TEXT NOT NULL,
  changed_by TEXT NOT NULL,
  reason     TEXT,
  PRIMARY KEY (list, value)
);
CREATE INDEX IF NOT EXISTS list_entries_revision ON ${s}.list_entries (revision);
`;
}

/**
 * Creates the schema and both tables if absent (idempotent). Runs in one transaction under an
 * advisory lock, because concurrent `CREATE ... IF NOT EXISTS` from several processes can still
 * collide in the catalogue. Throws a RangeError for an invalid schema name, or the driver's error
 * when the database is unreachable or the role may not create the schema.
 */
export async function ensurePostgresSchema(pool: Pool, schema: string): Promise<void> {
  const ddl = postgresSchemaSql(schema);
  await withClient(pool, async (client) => {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey('fraud-scoring', 'schema', schema)]);
    await client.query(ddl);
    await client.query('COMMIT');
  });
}

/** A pool ready for an adapter: its schema (validated) and tables exist. */
export interface OpenedSchema extends ResolvedPool {
  readonly schema: string;
}

/**
 * Resolves the pool for `opts` and creates its schema and tables if absent: what every PostgreSQL
 * adapter does when it opens. Throws a RangeError for an invalid schema name (before connecting),
 * or the driver's error when the database is unreachable (a pool it created is ended first).
 */
export async function openPostgresSchema(opts: PostgresConnectionOptions): Promise<OpenedSchema> {
  const schema = opts.schema ?? 'public';
  quoteSchema(schema);
  const { pool, owned } = resolvePool(opts);
  try {
    await ensurePostgresSchema(pool, schema);
  } catch (err) {
    if (owned) await pool.end();
    throw err;
  }
  return { pool, owned, schema };
}
