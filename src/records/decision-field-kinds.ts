import type { WireReader, WireValue, WireWriter } from './wire-bytes';

/** A value as better-sqlite3 binds it and returns it (booleans are 0/1, JSON is text, vectors blobs). */
export type SqliteValue = string | number | bigint | Buffer | null;

/** How a column is declared and sent: checked against both schemas' DDL (test/contract/decision-fields). */
export interface Storage {
  /** SQLite declared type, as `PRAGMA table_info` reports it. */
  readonly sqliteType: 'TEXT' | 'INTEGER' | 'REAL' | 'BLOB';
  /** PostgreSQL type, as the DDL declares it (`TEXT[]` for an array). */
  readonly pgType: string;
  /** Element type of the column's array parameter in the unnest insert. */
  readonly pgParam: string;
  /** The column value from the unnested parameter `param` (`r.<column>`); null: the parameter as it is. */
  readonly pgSelect: ((param: string) => string) | null;
  /** The column may be NULL (then null is a value of the field, and a field absent from an old spill line reads as null). */
  readonly nullable: boolean;
}

/** One stored column of the decisions table. */
export interface Column extends Storage {
  readonly name: string;
  /** The column is a key: the database refuses a second row with the same value. */
  readonly unique?: boolean;
}

/** How a value of type T crosses to a writer thread (see wire-bytes.ts). */
export interface WireCodec<T> {
  write(w: WireWriter, v: T): void;
  /** What `write` wrote. Throws a RangeError on bytes it did not write. */
  read(r: WireReader): T;
}

/** A wire codec that can also give what it wrote as JSON text, without building the value (the writer thread's path). */
export interface JsonWireCodec<T> extends WireCodec<T> {
  /** Exactly `JSON.stringify(read(r))`. */
  readJson(r: WireReader): string;
}

/**
 * A storage kind: how a record field of type T is held in one column of either database, sent
 * to the writer thread and spilled as JSON. Where the column's form differs from T (a boolean as
 * 0/1 in SQLite, a BIGINT as text from PostgreSQL, JSON text, vector bytes), the kind converts,
 * here and only here. The functions use no `this`: callers keep them in arrays.
 */
export interface Kind<T> extends Storage, WireCodec<T> {
  /** Reads what `write` wrote into `row[at]` as SQLite binds it, building no T where it need not (the writer thread). */
  readonly readStored: (r: WireReader, row: SqliteValue[], at: number) => void;
  readonly toSqlite: (v: T) => SqliteValue;
  readonly fromSqlite: (c: unknown) => T;
  /** The element of the column's array parameter (see `pgParam`). */
  readonly toPg: (v: T) => unknown;
  /** From the column as node-postgres returns it (BIGINT as text, BYTEA as Buffer, JSON parsed). */
  readonly fromPg: (c: unknown) => T;
  readonly toJson: (v: T) => unknown;
  /** From the spilled JSON value; `undefined` (absent from a line of an older build) is null for a nullable kind. */
  readonly fromJson: (j: unknown) => T;
}

/** Float32 little-endian bytes of a feature vector (the stored form; exact). */
export function featureBytes(features: Float32Array): Buffer {
  return Buffer.from(features.buffer, features.byteOffset, features.byteLength);
}

/** The feature vector stored as bytes. Throws a RangeError on a length not divisible by 4. */
export function featuresFromBytes(bytes: Uint8Array): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`feature blob of ${bytes.byteLength} bytes is not float32`);
  return new Float32Array(new Uint8Array(bytes).buffer);
}

type Declared = Pick<Storage, 'sqliteType' | 'pgType' | 'pgParam'>;

/** A kind whose value is the same on the wire, in both databases and in JSON (text, a float). */
function scalar<T extends WireValue>(declared: Declared, nullable: boolean, fromPg: (c: unknown) => T = (c) => c as T): Kind<T> {
  const same = (c: unknown) => c as T;
  return {
    ...declared,
    pgSelect: null,
    nullable,
    write: (w, v) => w.value(v),
    read: (r) => r.value() as T,
    readStored: (r, row, at) => {
      row[at] = r.value() as SqliteValue;
    },
    toSqlite: (v) => v as SqliteValue,
    fromSqlite: same,
    toPg: (v) => v,
    fromPg,
    toJson: (v) => v,
    fromJson: nullable ? (j) => (j ?? null) as T : same,
  };
}

const TEXT: Declared = { sqliteType: 'TEXT', pgType: 'TEXT', pgParam: 'text' };
const FLOAT: Declared = { sqliteType: 'REAL', pgType: 'DOUBLE PRECISION', pgParam: 'float8' };
const BIGINT: Declared = { sqliteType: 'INTEGER', pgType: 'BIGINT', pgParam: 'bigint' };

/** TEXT; `T` narrows it to a closed set (the value is trusted: it was checked when the record was made). */
export const text = <T extends string = string>(): Kind<T> => scalar<T>(TEXT, false);
export const nullableText = <T extends string = string>(): Kind<T | null> => scalar<T | null>(TEXT, true);
export const float: Kind<number> = scalar<number>(FLOAT, false);
export const nullableFloat: Kind<number | null> = scalar<number | null>(FLOAT, true);
/** INTEGER / BIGINT (node-postgres returns a BIGINT as text: read back as a number, exact up to 2^53). */
export const integer: Kind<number> = scalar<number>(BIGINT, false, (c) => Number(c));
export const nullableInteger: Kind<number | null> = scalar<number | null>(BIGINT, true, (c) => (c === null ? null : Number(c)));

/** INTEGER 0/1 in SQLite, BOOLEAN in PostgreSQL. */
export const boolean: Kind<boolean> = {
  ...scalar<boolean>({ sqliteType: 'INTEGER', pgType: 'BOOLEAN', pgParam: 'boolean' }, false),
  readStored: (r, row, at) => {
    row[at] = r.value() === true ? 1 : 0;
  },
  toSqlite: (v) => (v ? 1 : 0),
  fromSqlite: (c) => c === 1,
};

const BYTES: Declared = { sqliteType: 'BLOB', pgType: 'BYTEA', pgParam: 'bytea' };
const fromBytes = (c: unknown) => featuresFromBytes(c as Uint8Array);
const fromBase64 = (j: unknown) => featuresFromBytes(Buffer.from(j as string, 'base64'));

/** A float32 vector: its little-endian bytes in a BLOB / BYTEA, base64 in JSON; on the wire, the bytes are not copied again by the writer thread. */
export const floats: Kind<Float32Array> = {
  ...BYTES,
  pgSelect: null,
  nullable: false,
  write: (w, v) => w.floats(v),
  read: (r) => r.floats(),
  readStored: (r, row, at) => {
    row[at] = r.floatBytes();
  },
  toSqlite: featureBytes,
  fromSqlite: fromBytes,
  toPg: featureBytes,
  fromPg: fromBytes,
  toJson: (v) => featureBytes(v).toString('base64'),
  fromJson: fromBase64,
};

const orNull =
  <A, B>(f: (a: A) => B) =>
  (a: A | null | undefined): B | null =>
    a === null || a === undefined ? null : f(a);

export const nullableFloats: Kind<Float32Array | null> = {
  ...BYTES,
  pgSelect: null,
  nullable: true,
  write: (w, v) => w.optionalFloats(v),
  read: (r) => r.optionalFloats(),
  readStored: (r, row, at) => {
    row[at] = r.optionalFloatBytes();
  },
  toSqlite: orNull(featureBytes),
  fromSqlite: orNull(fromBytes),
  toPg: orNull(featureBytes),
  fromPg: orNull(fromBytes),
  toJson: (v) => (v === null ? null : featureBytes(v).toString('base64')),
  // A line of a build that did not record the vector has none.
  fromJson: (j) => (typeof j === 'string' ? fromBase64(j) : null),
};

/**
 * A list of texts (the degraded reasons): JSON text in SQLite; a TEXT[] in PostgreSQL, sent as
 * JSON because unnest cannot take an array of arrays of different lengths.
 */
export const textList = <T extends string>(): Kind<readonly T[]> & JsonWireCodec<readonly T[]> => {
  const read = (r: WireReader): T[] => {
    const out: T[] = [];
    for (let n = r.value() as number; n > 0; n--) out.push(r.value() as T);
    return out;
  };
  const readJson = (r: WireReader): string => {
    let n = r.value() as number;
    if (n === 0) return '[]';
    let json = `[${JSON.stringify(r.value())}`;
    while (--n > 0) json += `,${JSON.stringify(r.value())}`;
    return `${json}]`;
  };
  const json = (v: readonly T[]) => JSON.stringify(v);
  const same = (c: unknown) => c as readonly T[];
  return {
    sqliteType: 'TEXT',
    pgType: 'TEXT[]',
    pgParam: 'json',
    pgSelect: (param) => `ARRAY(SELECT json_array_elements_text(${param}))`,
    nullable: false,
    write: (w, v) => {
      w.value(v.length);
      for (const x of v) w.value(x);
    },
    read,
    readJson,
    readStored: (r, row, at) => {
      row[at] = readJson(r);
    },
    toSqlite: json,
    fromSqlite: (c) => JSON.parse(c as string) as readonly T[],
    toPg: json,
    fromPg: same,
    toJson: same,
    fromJson: same,
  };
};

/**
 * A JSON object or null: TEXT in SQLite, `pgType` (JSON or JSONB) in PostgreSQL, the object itself
 * in a spill line; on the wire, a presence flag and then `wire`'s values (no JSON text is made
 * on the scoring thread).
 */
export const nullableJson = <T extends object>(pgType: 'JSON' | 'JSONB', wire: JsonWireCodec<T>): Kind<T | null> => {
  const read = (r: WireReader): T | null => (r.value() === true ? wire.read(r) : null);
  const json = (v: T | null) => (v === null ? null : JSON.stringify(v));
  const same = (c: unknown) => (c ?? null) as T | null;
  return {
    sqliteType: 'TEXT',
    pgType,
    pgParam: pgType.toLowerCase(),
    pgSelect: null,
    nullable: true,
    write: (w, v) => {
      w.value(v !== null);
      if (v !== null) wire.write(w, v);
    },
    read,
    readStored: (r, row, at) => {
      row[at] = r.value() === true ? wire.readJson(r) : null;
    },
    toSqlite: json,
    fromSqlite: (c) => (c === null ? null : (JSON.parse(c as string) as T)),
    toPg: json,
    fromPg: same,
    toJson: (v) => v,
    fromJson: same,
  };
};

/** A column of `name` stored as `kind` declares. */
export function column(name: string, kind: Storage): Column {
  return { name, sqliteType: kind.sqliteType, pgType: kind.pgType, pgParam: kind.pgParam, pgSelect: kind.pgSelect, nullable: kind.nullable };
}
