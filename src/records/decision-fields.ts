import type { Transaction } from '../../features';
import type { AppliedRules } from './decision-record';
import { requestHash, requestHashOfCanonical, TRANSACTION_FIELDS, TRANSACTION_JSON_PREFIXES } from '../hashing/request-hash';
import {
  boolean, column, float, floats, integer, nullableFloat, nullableFloats, nullableInteger, nullableJson, nullableText, text, textList,
  type Column, type JsonWireCodec, type Kind, type SqliteValue, type WireCodec,
} from './decision-field-kinds';
import type { Decision, DecisionRecord, DegradedReason } from './decision-record';
import type { WireReader, WireValue } from './wire-bytes';

/**
 * How one record field of type T is stored in its columns (one, or several for a composite
 * field), sent to the writer thread and spilled. Row functions read and write `row[at…]`, the
 * field's columns in `columns` order. The functions use no `this`: callers keep them in arrays.
 */
export interface FieldCodec<T> extends WireCodec<T> {
  readonly columns: readonly Column[];
  /** Reads what `write` wrote straight into its SQLite parameters (the writer thread's path). */
  readonly readStored: (r: WireReader, row: SqliteValue[], at: number) => void;
  readonly toSqlite: (v: T, row: SqliteValue[], at: number) => void;
  /** From a row as better-sqlite3 returns it (by column name). */
  readonly fromSqlite: (row: Readonly<Record<string, unknown>>) => T;
  readonly toPg: (v: T, row: unknown[], at: number) => void;
  /** From a row as node-postgres returns it (by column name). */
  readonly fromPg: (row: Readonly<Record<string, unknown>>) => T;
  readonly toJson: (v: T) => unknown;
  /** From a spilled line's value; `undefined` when a line of an older build lacks the field. */
  readonly fromJson: (j: unknown) => T;
}

/** A plain field: one column of `name`, held as `kind` holds it. */
function single<T>(name: string, kind: Kind<T>): FieldCodec<T> {
  return {
    columns: [column(name, kind)],
    write: kind.write,
    read: kind.read,
    readStored: kind.readStored,
    toSqlite: (v, row, at) => {
      row[at] = kind.toSqlite(v);
    },
    fromSqlite: (row) => kind.fromSqlite(row[name]),
    toPg: (v, row, at) => {
      row[at] = kind.toPg(v);
    },
    fromPg: (row) => kind.fromPg(row[name]),
    toJson: kind.toJson,
    fromJson: kind.fromJson,
  };
}

const TEXT = text();
const NULLABLE_TEXT = nullableText();
const USER_ID = TRANSACTION_FIELDS.indexOf('userId');
const MERCHANT_ID = TRANSACTION_FIELDS.indexOf('merchantId');

/**
 * The transaction: its exact JSON (JSON in PostgreSQL), its user and merchant ids (indexed by the
 * history queries) and its request hash (SHA-256 of the canonical JSON). On the wire, its fields
 * in contract order, an absent optional one as undefined; the writer thread makes the JSON text
 * from them once, and it is the canonical JSON too (the fields are in sorted order).
 */
const transaction: FieldCodec<Transaction> = {
  columns: [column('request_hash', TEXT), column('user_id', TEXT), column('merchant_id', TEXT), { ...column('transaction_json', TEXT), pgType: 'JSON', pgParam: 'json' }],
  write: (w, t) => {
    const fields = t as unknown as Readonly<Record<string, WireValue>>;
    for (const f of TRANSACTION_FIELDS) w.value(fields[f]);
  },
  read: (r) => {
    const t: Record<string, unknown> = {};
    for (const f of TRANSACTION_FIELDS) {
      const v = r.value();
      if (v !== undefined) t[f] = v;
    }
    return t as unknown as Transaction;
  },
  readStored: (r, row, at) => {
    let json = '{';
    for (let i = 0; i < TRANSACTION_FIELDS.length; i++) {
      const v = r.value();
      if (v === undefined) continue;
      if (i === USER_ID) row[at + 1] = v as string;
      else if (i === MERCHANT_ID) row[at + 2] = v as string;
      if (json.length > 1) json += ',';
      json += (TRANSACTION_JSON_PREFIXES[i] as string) + JSON.stringify(v);
    }
    json += '}';
    row[at] = requestHashOfCanonical(json);
    row[at + 3] = json;
  },
  toSqlite: transactionColumns,
  fromSqlite: (row) => JSON.parse(row.transaction_json as string) as Transaction,
  toPg: transactionColumns,
  fromPg: (row) => row.transaction_json as Transaction,
  toJson: (t) => t,
  fromJson: (j) => j as Transaction,
};

/** The transaction's columns, from the record (the in-thread SQLite insert and PostgreSQL's). */
function transactionColumns(t: Transaction, row: unknown[], at: number): void {
  row[at] = requestHash(t);
  row[at + 1] = t.userId;
  row[at + 2] = t.merchantId;
  row[at + 3] = JSON.stringify(t);
}

type Shadow = DecisionRecord['shadow'];

/** The challenger's score: its version and score, both NULL for none. On the wire, the version or null, then the score. */
const shadow: FieldCodec<Shadow> = {
  columns: [column('shadow_version', NULLABLE_TEXT), column('shadow_score', nullableFloat)],
  write: (w, s) => {
    w.value(s === null ? null : s.version);
    if (s !== null) w.value(s.score);
  },
  read: (r) => {
    const version = NULLABLE_TEXT.read(r);
    return version === null ? null : { version, score: float.read(r) };
  },
  readStored: (r, row, at) => {
    const version = NULLABLE_TEXT.read(r);
    row[at] = version;
    row[at + 1] = version === null ? null : float.read(r);
  },
  toSqlite: shadowColumns,
  fromSqlite: shadowOf,
  toPg: shadowColumns,
  fromPg: shadowOf,
  toJson: (s) => s,
  fromJson: (j) => (j ?? null) as Shadow,
};

function shadowColumns(s: Shadow, row: unknown[], at: number): void {
  row[at] = s === null ? null : s.version;
  row[at + 1] = s === null ? null : s.score;
}

function shadowOf(row: Readonly<Record<string, unknown>>): Shadow {
  const version = row.shadow_version as string | null;
  const score = row.shadow_score as number | null;
  return version === null || score === null ? null : { version, score };
}

const HITS = textList<string>();

/** The applied rules on the wire: the set's version and hash, then the ids of the rules that hit. */
const rulesWire: JsonWireCodec<AppliedRules> = {
  write: (w, rules) => {
    w.value(rules.version);
    w.value(rules.hash);
    HITS.write(w, rules.hits);
  },
  read: (r) => ({ version: TEXT.read(r), hash: TEXT.read(r), hits: HITS.read(r) }),
  // The keys in `read`'s order, so the text is the one JSON.stringify gives.
  readJson: (r) => `{"version":${JSON.stringify(TEXT.read(r))},"hash":${JSON.stringify(TEXT.read(r))},"hits":${HITS.readJson(r)}}`,
};

/** A field of the table: a record key and how it is stored. */
interface TableEntry<K extends keyof DecisionRecord> {
  readonly key: K;
  /** Type-erased (the key and the codec were checked together when the entry was made). */
  readonly codec: FieldCodec<unknown>;
}

/** A field as the stores use it: its key, its codec and where its columns start in {@link DECISION_COLUMNS}. */
export interface DecisionField extends TableEntry<keyof DecisionRecord> {
  readonly at: number;
}

function field<K extends keyof DecisionRecord>(key: K, codec: FieldCodec<DecisionRecord[K]>): TableEntry<K> {
  return { key, codec: codec as unknown as FieldCodec<unknown> };
}

/** A plain field stored in one column. */
const plain = <K extends keyof DecisionRecord>(key: K, name: string, kind: Kind<DecisionRecord[K]>) => field(key, single(name, kind));

/**
 * The decision record's fields, as data: every store of a record derives from this table (the
 * SQLite and PostgreSQL rows, the writer thread's wire form, the spill lines). To add a field:
 * a line here, the field in `DecisionRecord`, and its column in both schemas (sqlite-database.ts,
 * postgres-schema.ts; a test compares them with this table). A field added later is nullable:
 * rows and spill lines written before it read as null.
 */
const TABLE = [
  plain('transactionId', 'transaction_id', text()),
  field('transaction', transaction),
  plain('eventTime', 'event_time', integer),
  plain('features', 'features', floats),
  plain('featureSpecHash', 'feature_spec_hash', text()),
  plain('score', 'score', nullableFloat),
  plain('decision', 'decision', text<Decision>()),
  plain('modelVersion', 'model_version', nullableText()),
  field('shadow', shadow),
  plain('degraded', 'degraded', boolean),
  plain('degradedReasons', 'degraded_reasons', textList<DegradedReason>()),
  plain('latencyMs', 'latency_ms', float),
  plain('decidedAt', 'decided_at', text()),
  plain('client', 'client', nullableText()),
  plain('userReadVersion', 'user_read_version', nullableInteger),
  plain('merchantReadVersion', 'merchant_read_version', nullableInteger),
  plain('userVersion', 'user_version', nullableInteger),
  plain('merchantVersion', 'merchant_version', nullableInteger),
  plain('contributions', 'contributions', nullableFloats),
  plain('rules', 'rules', nullableJson<AppliedRules>('JSONB', rulesWire)),
] as const;

// Every key of DecisionRecord has a field: a compile error names the one missing.
type Missing = Exclude<keyof DecisionRecord, (typeof TABLE)[number]['key']>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

/** The table's fields, in order. */
export const DECISION_FIELDS: readonly DecisionField[] = withOffsets(TABLE);

/** Every stored column (but `seq`), in table order: the fields' columns one after the other. */
export const DECISION_COLUMNS: readonly Column[] = TABLE.flatMap((f) => f.codec.columns);

function withOffsets(entries: readonly TableEntry<keyof DecisionRecord>[]): DecisionField[] {
  let at = 0;
  return entries.map((f) => {
    const placed = { key: f.key, codec: f.codec, at };
    at += f.codec.columns.length;
    return placed;
  });
}

/**
 * A record being built field by field from some stored form. Complete once every field of
 * {@link DECISION_FIELDS} was set, which {@link asRecord} takes on trust (the table has a field
 * for every key: checked when this module compiles).
 */
export type RecordDraft = Record<string, unknown>;

/** The record a draft holds, once every field of the table has set its key. */
export function asRecord<R extends DecisionRecord = DecisionRecord>(draft: RecordDraft): R {
  return draft as unknown as R;
}

/** The codec of the field `key`, typed as the record's field (for other records made of these fields: the decision event row). */
export function fieldCodec<K extends keyof DecisionRecord>(key: K): FieldCodec<DecisionRecord[K]> {
  const f = DECISION_FIELDS.find((x) => x.key === key) as DecisionField;
  return f.codec as FieldCodec<DecisionRecord[K]>;
}
