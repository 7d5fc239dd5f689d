import type { Transaction } from '../../features';
import { requestHash, requestHashOfCanonical, TRANSACTION_FIELDS, TRANSACTION_JSON_PREFIXES } from '../hashing/request-hash';
import {
  boolean, column, float, floats, integer, nullableFloat, nullableFloats, nullableInteger, nullableJson, nullableText, text, textList,
  type Column, type JsonWireCodec, type Kind, type SqliteValue, type WireCodec,
} from './decision-field-kinds';
import type { AppliedRules, Decision, DegradedReason, ShadowScore } from './decision-values';
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

type Shadow = ShadowScore | null;

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

/** A plain field: one column of `name`, held as `kind` holds it. */
const plain = <T>(name: string, kind: Kind<T>): FieldCodec<T> => single(name, kind);

/** The field with its (single) column declared unique. */
const unique = <T>(codec: FieldCodec<T>): FieldCodec<T> => ({ ...codec, columns: codec.columns.map((c) => ({ ...c, unique: true })) });

/**
 * The decision record's fields, as data: what the service decided for one transaction, kept for
 * audit, retries and retraining, written to the decision log after the response (batched). The
 * record's type ({@link DecisionRecord}) and every stored form derive from this table: the SQLite
 * and PostgreSQL tables and rows, the writer thread's wire form, the spill lines. Adding a field is
 * a line here and the code that fills it. A field added later must be nullable: rows and spill
 * lines written before it read as null, and the stores add its column to an existing table.
 * Property order is column and wire order.
 */
const TABLE = {
  /** The payment backend's id of the transaction: the record's key (one record per id). */
  transactionId: unique(plain('transaction_id', text())),
  /**
   * The validated transaction. A retry must equal it field by field (`sameTransaction`); the
   * stored `request_hash` column (SHA-256 of its canonical JSON) is computed when it is written.
   */
  transaction,
  /** The transaction's event time, epoch seconds. */
  eventTime: plain('event_time', integer),
  /** The served feature vector (float32, spec order). */
  features: plain('features', floats),
  featureSpecHash: plain('feature_spec_hash', text()),
  /** P(fraud) from the model; null when no model scored. */
  score: plain('score', nullableFloat),
  /** The answer: the model's decision after the degraded policy and the guard-rail rules. */
  decision: plain('decision', text<Decision>()),
  modelVersion: plain('model_version', nullableText()),
  /** The challenger's shadow score (logged, never returned). */
  shadow,
  degraded: plain('degraded', boolean),
  degradedReasons: plain('degraded_reasons', textList<DegradedReason>()),
  /** Server-side time from request start to the decision, milliseconds. */
  latencyMs: plain('latency_ms', float),
  /** Wall-clock time of the decision (ISO 8601). */
  decidedAt: plain('decided_at', text()),
  /**
   * The authenticated client that asked (see src/auth; `anonymous` with AUTH=off); null in
   * records written before clients were recorded.
   */
  client: plain('client', nullableText()),
  /**
   * Versions of the user's and the merchant's profile the features were computed from (see
   * `ProfileStore`); null when that profile could not be read (the record is then degraded and
   * its vector is not reproducible by a replay).
   */
  userReadVersion: plain('user_read_version', nullableInteger),
  merchantReadVersion: plain('merchant_read_version', nullableInteger),
  /**
   * Versions at which this transaction's own change was merged into each profile: its place in
   * that entity's history, which a replay follows. Null while unknown (the store did not answer);
   * reconciliation merges it, idempotently, and records the version.
   */
  userVersion: plain('user_version', nullableInteger),
  merchantVersion: plain('merchant_version', nullableInteger),
  /**
   * Each feature's exact TreeSHAP contribution to the model's margin (log-odds), spec order, then
   * the bias as the last value: `sigmoid(Σ) = score`. Computed when the decision is a challenge or
   * a decline by a tree-ensemble model; null otherwise (an approval's are computed when it is read).
   */
  contributions: plain('contributions', nullableFloats),
  /**
   * The guard-rail rule set in force (version, hash) and the rules that hit; null when no rule
   * set was configured (or in records written before rules existed).
   */
  rules: plain('rules', nullableJson<AppliedRules>('JSONB', rulesWire)),
  /**
   * The replica that decided (`<host name>/<process id>`; in Kubernetes the host name is the
   * pod's), so a record, a retry answered from it and the replica's logs and metrics can be put
   * together. Null in records written before replicas were recorded.
   */
  servedBy: plain('served_by', nullableText()),
};

type Table = typeof TABLE;
type ValueOf<C> = C extends FieldCodec<infer T> ? T : never;

/** One decision: a value for each field of {@link TABLE}, documented there. */
export type DecisionRecord = { readonly [K in keyof Table]: ValueOf<Table[K]> };

/** A field as the stores use it: its key, its codec (type-erased) and where its columns start in {@link DECISION_COLUMNS}. */
export interface DecisionField {
  readonly key: keyof DecisionRecord;
  readonly codec: FieldCodec<unknown>;
  readonly at: number;
}

/** The table's fields, in order. */
export const DECISION_FIELDS: readonly DecisionField[] = withOffsets(TABLE);

/** Every stored column (but `seq`), in table order: the fields' columns one after the other. */
export const DECISION_COLUMNS: readonly Column[] = DECISION_FIELDS.flatMap((f) => f.codec.columns);

function withOffsets(table: Table): DecisionField[] {
  let at = 0;
  return (Object.keys(table) as (keyof Table)[]).map((key) => {
    const codec = table[key] as FieldCodec<unknown>;
    const placed = { key, codec, at };
    at += codec.columns.length;
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
  return TABLE[key] as unknown as FieldCodec<DecisionRecord[K]>;
}
