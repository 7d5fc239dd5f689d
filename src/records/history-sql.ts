import type { EntityRole, LabelSource, Transaction } from '../../features';
import { decodeProfile, encodeProfile, type SnapshotLine } from '../store/profile-snapshot';
import type { StoredProfile } from '../store/profile-store';
import { featuresFromBytes } from './decision-codec';
import type { HistoryQuery, HistoryRow, ServedRow } from './decision-history';

/** The SQL dialects of the two decision-log backends. */
export type Dialect = 'postgres' | 'sqlite';

/** A statement and the named values its placeholders take, in order. */
export interface HistoryStatement {
  readonly text: string;
  readonly params: readonly ('before' | 'from' | 'to')[];
}

/** The (schema-qualified where needed) names of the history's tables: fixed identifiers, never input. */
export interface HistoryTables {
  readonly decisions: string;
  readonly labels: string;
  readonly checkpoints: string;
}

/** Columns of one role in the decisions and labels tables (fixed identifiers, never input). */
const ROLE_COLUMNS: Readonly<Record<EntityRole, { readonly id: string; readonly version: string; readonly read: string }>> = {
  user: { id: 'user_id', version: 'user_version', read: 'user_read_version' },
  merchant: { id: 'merchant_id', version: 'merchant_version', read: 'merchant_read_version' },
};

/**
 * The statement behind `DecisionHistory.entityHistory`, for either dialect. Every branch selects
 * the same columns: entity, k (position: 2v for a change at version v, 2r + 1 for a read at r,
 * null for a pending change, -1 for a checkpoint), kind (1 transaction change, 2 read, 3 label
 * change, 4 pending transaction, 5 pending label, 6 checkpoint), seq (a checkpoint's version),
 * transaction_id, txn (the transaction's JSON text; a checkpoint's snapshot line), features,
 * source, fraud_change, event_time, at (decided or received; a checkpoint's cut). Placeholders are
 * `{name}` tokens, resolved by {@link bindHistory}.
 */
export function entityHistorySql(dialect: Dialect, tables: HistoryTables, q: HistoryQuery): HistoryStatement {
  const { decisions, labels, checkpoints } = tables;
  const c = ROLE_COLUMNS[q.role];
  const txt = dialect === 'postgres' ? '::text' : '';
  const nullBytes = dialect === 'postgres' ? 'NULL::bytea' : 'NULL';
  const nullText = dialect === 'postgres' ? 'NULL::text' : 'NULL';
  // Only reads are cut at `before`: every stored change is history (versions are not in wall-clock order across replicas).
  const beforeD = q.before === null ? '' : ' AND d.decided_at < {before}';
  const branches = [
    `SELECT c.entity_id AS entity, -1 AS k, 6 AS kind, c.version AS seq, ${nullText} AS transaction_id, c.profile AS txn, ${nullBytes} AS features,
       ${nullText} AS source, 0 AS fraud_change, 0 AS event_time, c.cut_at AS at
     FROM ${checkpoints} c WHERE c.role = '${q.role}'`,
    `SELECT d.${c.id}, 2 * d.${c.version} AS k, 1 AS kind, d.seq, d.transaction_id, d.transaction_json${txt} AS txn, ${nullBytes} AS features,
       ${nullText} AS source, 0 AS fraud_change, d.event_time, d.decided_at AS at
     FROM ${decisions} d WHERE d.${c.version} IS NOT NULL`,
    `SELECT l.${c.id}, 2 * l.${c.version}, 3, l.seq, l.transaction_id, ${nullText}, ${nullBytes}, l.source, l.fraud_change, l.event_time, l.received_at
     FROM ${labels} l WHERE l.${c.version} IS NOT NULL AND l.fraud_change <> 0`,
  ];
  if (q.reads !== null) {
    branches.push(
      `SELECT d.${c.id}, 2 * d.${c.read} + 1, 2, d.seq, d.transaction_id, d.transaction_json${txt}, d.features, ${nullText}, 0, d.event_time, d.decided_at
       FROM ${decisions} d WHERE d.user_read_version IS NOT NULL AND d.merchant_read_version IS NOT NULL
         AND d.event_time >= {from} AND d.event_time < {to}${beforeD}`,
    );
  }
  if (q.pending) {
    branches.push(
      `SELECT d.${c.id}, NULL, 4, d.seq, d.transaction_id, d.transaction_json${txt}, ${nullBytes}, ${nullText}, 0, d.event_time, d.decided_at
       FROM ${decisions} d WHERE d.${c.version} IS NULL`,
      `SELECT l.${c.id}, NULL, 5, l.seq, l.transaction_id, ${nullText}, ${nullBytes}, l.source, l.fraud_change, l.event_time, l.received_at
       FROM ${labels} l WHERE l.${c.version} IS NULL AND l.fraud_change <> 0`,
    );
  }
  // Entities in byte order (ids are ASCII), versioned rows before pending ones.
  const order = dialect === 'postgres' ? 'entity COLLATE "C", k NULLS LAST, at, kind, seq' : 'entity, k IS NULL, k, at, kind, seq';
  return tokens(`SELECT * FROM (${branches.join('\nUNION ALL\n')}) h ORDER BY ${order}`);
}

/** `{name}` tokens in order of appearance. */
function tokens(text: string): HistoryStatement {
  const params: ('before' | 'from' | 'to')[] = [];
  for (const m of text.matchAll(/\{(before|from|to)\}/g)) params.push(m[1] as 'before' | 'from' | 'to');
  return { text, params };
}

/** The statement's text with dialect placeholders, and its values in order. */
export function bindHistory(dialect: Dialect, s: HistoryStatement, values: Readonly<Record<'before' | 'from' | 'to', unknown>>): { text: string; values: unknown[] } {
  let n = 0;
  const text = s.text.replace(/\{(before|from|to)\}/g, () => (dialect === 'postgres' ? `$${++n}` : '?'));
  return { text, values: s.params.map((p) => values[p]) };
}

/** The raw row of {@link entityHistorySql} (numbers may come as strings from PostgreSQL). */
export interface HistorySqlRow {
  readonly entity: string;
  readonly k: number | string | null;
  readonly kind: number;
  readonly seq: number | string;
  readonly transaction_id: string;
  readonly txn: string | null;
  readonly features: Uint8Array | null;
  readonly source: string | null;
  readonly fraud_change: number;
  readonly event_time: number | string;
  readonly at: string;
}

/** The history row a raw row holds. Throws a RangeError on a kind it does not know. */
export function historyRowOf(r: HistorySqlRow): HistoryRow {
  const k = r.k === null ? null : Number(r.k);
  const eventTime = Number(r.event_time);
  switch (r.kind) {
    case 1:
    case 4:
      return { kind: 'transaction', entity: r.entity, version: k === null ? null : k / 2, transaction: JSON.parse(r.txn as string) as Transaction, at: r.at };
    case 2:
      return { kind: 'read', entity: r.entity, version: ((k as number) - 1) / 2, transaction: JSON.parse(r.txn as string) as Transaction, features: featuresFromBytes(r.features as Uint8Array) };
    case 3:
    case 5:
      return {
        kind: 'label',
        entity: r.entity,
        version: k === null ? null : k / 2,
        transactionId: r.transaction_id,
        source: r.source as LabelSource,
        fraudChange: Number(r.fraud_change),
        eventTime,
        at: r.at,
      };
    case 6:
      return { kind: 'checkpoint', entity: r.entity, version: Number(r.seq), state: decodeProfile(JSON.parse(r.txn as string) as SnapshotLine) };
    default:
      throw new RangeError(`history row of unknown kind ${r.kind}`);
  }
}

/**
 * The statement behind `DecisionHistory.served`: decisions (with the outcome answered) in an event-time range with the labels
 * that had arrived by `asOf`, as a JSON array of [source, label, reportedAtSeconds] (text).
 * Placeholders: from, to, specHash, asOf, in that order ($1..$4 in PostgreSQL, named in SQLite).
 */
export function servedSql(dialect: Dialect, decisions: string, labels: string): string {
  // Numbered (PostgreSQL) or named (SQLite): the asOf placeholder comes first in the text.
  const [from, to, spec, asOf] = dialect === 'postgres' ? ['$1', '$2', '$3', '$4'] : ['@from', '@to', '@spec', '@asOf'];
  const agg =
    dialect === 'postgres'
      ? `(SELECT json_agg(json_build_array(l.source, l.label, l.reported_at_seconds))::text FROM ${labels} l WHERE l.transaction_id = d.transaction_id AND l.reported_at_seconds <= ${asOf})`
      : `(SELECT json_group_array(json_array(l.source, l.label, l.reported_at_seconds)) FROM ${labels} l WHERE l.transaction_id = d.transaction_id AND l.reported_at_seconds <= ${asOf})`;
  return `SELECT d.transaction_id, d.user_id, d.event_time, d.decision, d.features, ${agg} AS labels
FROM ${decisions} d WHERE d.event_time >= ${from} AND d.event_time < ${to} AND d.feature_spec_hash = ${spec} ORDER BY d.event_time, d.seq`;
}

/** How many rows {@link servedSql} gives. Placeholders: from, to, specHash. */
export function countServedSql(dialect: Dialect, decisions: string): string {
  const [from, to, spec] = dialect === 'postgres' ? ['$1', '$2', '$3'] : ['?', '?', '?'];
  return `SELECT count(*) AS n FROM ${decisions} d WHERE d.event_time >= ${from} AND d.event_time < ${to} AND d.feature_spec_hash = ${spec}`;
}

/** The raw row of {@link servedSql}. */
export interface ServedSqlRow {
  readonly transaction_id: string;
  readonly user_id: string;
  readonly event_time: number | string;
  readonly decision: string;
  readonly features: Uint8Array;
  readonly labels: string | null;
}

/** The served row a raw row holds. */
export function servedRowOf(r: ServedSqlRow): ServedRow {
  const labels = r.labels === null ? [] : (JSON.parse(r.labels) as [LabelSource, 'fraud' | 'legitimate', number | string][]);
  return {
    transactionId: r.transaction_id,
    userId: r.user_id,
    eventTime: Number(r.event_time),
    decision: r.decision as ServedRow['decision'],
    features: featuresFromBytes(r.features),
    labels: labels.map(([source, label, at]) => ({ source, label, reportedAtSeconds: Number(at) })),
  };
}

/**
 * The upsert behind `DecisionHistory.saveCheckpoints`: one row per entity (role, entity_id,
 * version, profile as a snapshot line, cut_at), replacing an older version only. Placeholders in
 * that order ($1..$5 in PostgreSQL, ? in SQLite).
 */
export function saveCheckpointSql(dialect: Dialect, checkpoints: string): string {
  const p = dialect === 'postgres' ? ['$1', '$2', '$3', '$4', '$5'] : ['?', '?', '?', '?', '?'];
  return `INSERT INTO ${checkpoints} AS c (role, entity_id, version, profile, cut_at) VALUES (${p.join(', ')})
ON CONFLICT (role, entity_id) DO UPDATE SET version = excluded.version, profile = excluded.profile, cut_at = excluded.cut_at
WHERE c.version < excluded.version`;
}

/** A checkpoint's row values, in {@link saveCheckpointSql}'s placeholder order. */
export function checkpointValues(p: StoredProfile, cutAt: string): [string, string, number, string, string] {
  return [p.role, p.id, p.version, JSON.stringify(encodeProfile(p)), cutAt];
}

/**
 * The two deletes behind `DecisionHistory.dropCheckpointed`, each of at most `limit` rows: decisions
 * decided before the cut whose two changes are inside their entities' checkpoints; then labels
 * received before the cut whose decision is gone and whose changes, when they have any, are inside
 * checkpoints. Placeholders: cut, limit (twice: $1, $2 in PostgreSQL; ?, ? in SQLite).
 */
export function dropCheckpointedSql(dialect: Dialect, t: HistoryTables): { readonly decisions: string; readonly labels: string } {
  const [cut, limit] = dialect === 'postgres' ? ['$1', '$2'] : ['?', '?'];
  const covered = (alias: string, role: EntityRole) => {
    const c = ROLE_COLUMNS[role];
    return `EXISTS (SELECT 1 FROM ${t.checkpoints} k WHERE k.role = '${role}' AND k.entity_id = ${alias}.${c.id} AND k.version >= ${alias}.${c.version})`;
  };
  return {
    decisions: `DELETE FROM ${t.decisions} WHERE seq IN (SELECT d.seq FROM ${t.decisions} d
  WHERE d.decided_at < ${cut} AND ${covered('d', 'user')} AND ${covered('d', 'merchant')} LIMIT ${limit})`,
    labels: `DELETE FROM ${t.labels} WHERE seq IN (SELECT l.seq FROM ${t.labels} l
  WHERE l.received_at < ${cut} AND NOT EXISTS (SELECT 1 FROM ${t.decisions} d WHERE d.transaction_id = l.transaction_id)
    AND (l.fraud_change = 0 OR (${covered('l', 'user')} AND ${covered('l', 'merchant')})) LIMIT ${limit})`,
  };
}

/** The query behind `DecisionHistory.hasRowsBefore` (one row when any; placeholder: cut, twice). */
export function rowsBeforeSql(dialect: Dialect, t: HistoryTables): string {
  const [a, b] = dialect === 'postgres' ? ['$1', '$1'] : ['?', '?'];
  return `SELECT 1 AS found WHERE EXISTS (SELECT 1 FROM ${t.decisions} WHERE decided_at < ${a}) OR EXISTS (SELECT 1 FROM ${t.labels} WHERE received_at < ${b})`;
}
