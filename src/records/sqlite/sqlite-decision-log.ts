import type Database from 'better-sqlite3';
import { join } from 'node:path';
import type { EntityRole } from '../../../features';
import type { BatchSink } from '../buffered-writer';
import type { WriteState } from '../buffered-writer';
import { DecisionBuffer, type DecisionWriterOptions } from '../decision-buffer';
import type { SqliteValue } from '../decision-field-kinds';
import { asRecord, DECISION_COLUMNS, DECISION_FIELDS, type RecordDraft } from '../decision-fields';
import { unappliedDecisionRoles, type AppliedVersion, type DecisionLog, type DecisionRange, type LoggedDecision, type UnappliedDecision } from '../decision-log';
import type { DecisionRecord } from '../decision-record';
import { forEachStoredRow, packDecisions, type PackedDecisions } from '../decision-wire';
import { IdFilter } from '../id-filter';
import { WorkerSink } from '../../threads/worker-sink';

/** A `decisions` row as better-sqlite3 returns it: `seq` and the table's columns (see decision-fields.ts). */
type Row = { readonly seq: number } & Readonly<Record<string, SqliteValue>>;

/** The record a row holds. Throws a RangeError on a vector blob that is not float32. */
function fromRow(row: Row): LoggedDecision {
  const draft: RecordDraft = { seq: row.seq };
  for (const f of DECISION_FIELDS) draft[f.key] = f.codec.fromSqlite(row);
  return asRecord<LoggedDecision>(draft);
}

export type WriterOptions = DecisionWriterOptions;

const INSERT_DECISION = `INSERT OR IGNORE INTO decisions (${DECISION_COLUMNS.map((c) => c.name).join(', ')})
  VALUES (${DECISION_COLUMNS.map(() => '?').join(', ')})`;

/**
 * Prepares the batch insert on a connection: one transaction per batch, ids already stored
 * ignored. Each record's request hash is computed here rather than on the scoring path. Used in
 * this thread (an in-memory database); the writer thread inserts packed batches with
 * {@link preparePackedDecisionInsert}.
 */
export function prepareDecisionInsert(db: Database.Database): (batch: readonly DecisionRecord[]) => void {
  const insert = db.prepare<SqliteValue[]>(INSERT_DECISION);
  const row = new Array<SqliteValue>(DECISION_COLUMNS.length).fill(null);
  return db.transaction((batch: readonly DecisionRecord[]) => {
    for (const r of batch) {
      for (const f of DECISION_FIELDS) f.codec.toSqlite(r[f.key], row, f.at);
      insert.run(...row);
    }
  });
}

/**
 * The writer thread's batch insert: {@link prepareDecisionInsert}'s rows read straight from a
 * packed batch (see `forEachStoredRow`), without building the records.
 */
export function preparePackedDecisionInsert(db: Database.Database): (batch: PackedDecisions) => void {
  const insert = db.prepare<SqliteValue[]>(INSERT_DECISION);
  const insertRow = (row: readonly SqliteValue[]) => {
    insert.run(...row);
  };
  return db.transaction((batch: PackedDecisions) => forEachStoredRow(batch, insertRow));
}

/** What the writer thread (sqlite-decision-writer.ts) is started with. */
export interface WriterThreadData {
  readonly path: string;
}

/**
 * Writes batches in a worker thread with its own connection to the same file, so the inserts,
 * each commit's fsync and the WAL checkpoints they trigger never stall the event loop. A thread
 * that dies is started again on the next batch (BufferedWriter retries what it took with it).
 */
function writerThreadSink(script: string, path: string): BatchSink<DecisionRecord> & { warm(): void; close(): Promise<void> } {
  const data: WriterThreadData = { path };
  const thread = new WorkerSink<PackedDecisions, void>({ script, workerData: data, name: 'decision writer thread', restart: true });
  return {
    write(batch) {
      let packed: PackedDecisions;
      try {
        packed = packDecisions(batch);
      } catch (err) {
        return Promise.reject(err as Error);
      }
      // A packed batch is moved, not copied: the records stay with BufferedWriter for a retry.
      return thread.send(packed, [packed]);
    },
    warm: () => thread.warm(),
    close: () => thread.close(),
  };
}

/** Writes on this thread: for an in-memory database, or when the caller asks for no writer thread. */
function inThreadSink(db: Database.Database): BatchSink<DecisionRecord> & { close(): Promise<void> } {
  const insertAll = prepareDecisionInsert(db);
  return {
    write: (batch) => {
      insertAll(batch);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

/**
 * The built writer thread's script beside this module (`dist/src/records/sqlite/sqlite-decision-writer.js`):
 * what the service passes as {@link SqliteDecisionLogOptions.writerThread}. Sources run by ts-jest
 * have no script beside them; tests pass the one in dist/ (test/support/built-scripts.ts).
 */
export const BUILT_DECISION_WRITER = join(__dirname, 'sqlite-decision-writer.js');

export interface SqliteDecisionLogOptions {
  /**
   * The writer thread's script (the built `sqlite-decision-writer.js`, see
   * {@link BUILT_DECISION_WRITER}): batches are inserted by that thread on its own connection to
   * the database file. Absent or null: batches are inserted on this thread, on the given
   * connection (the only choice for an in-memory database, which another connection cannot open).
   * The script is not checked here: a wrong path fails the first write (and each retry).
   */
  readonly writerThread?: string | null;
  /**
   * This log is the database's only writer for as long as it is open (the service holds its
   * DATA_DIR lock, see data-dir-lock.ts). It then remembers every transaction id it has seen in
   * an {@link IdFilter}, the stored ones read once here, and answers a look-up for an id it never
   * saw without asking SQLite: a new transaction, the common case, costs no query. Without
   * this guarantee another writer's records would be missed, so the default is false.
   */
  readonly soleWriter?: boolean;
}

/**
 * The embedded decision log: a SQLite table written in batched transactions, by the writer thread
 * the caller names ({@link SqliteDecisionLogOptions.writerThread}), else in this thread. Reads use
 * the given connection; a record is served from memory until its batch is committed.
 */
export class SqliteDecisionLog implements DecisionLog {
  readonly kind = 'sqlite';
  private readonly buffer: DecisionBuffer;
  private readonly sink: BatchSink<DecisionRecord> & { close(): Promise<void> };
  private readonly selectOne: Database.Statement<[string], Row>;
  private readonly selectRange: Database.Statement<[number, number], Row>;
  private readonly setVersion: Record<EntityRole, Database.Statement<[number, string]>>;
  private readonly selectUnapplied: Database.Statement<[string, number], Row>;
  /** Every id stored, buffered or spilled (sole writer only), else null: decided once, here. */
  private readonly seen: IdFilter | null;

  constructor(
    private readonly db: Database.Database,
    writer: WriterOptions,
    options: SqliteDecisionLogOptions = {},
  ) {
    this.selectOne = db.prepare('SELECT * FROM decisions WHERE transaction_id = ?');
    this.selectRange = db.prepare('SELECT * FROM decisions WHERE event_time >= ? AND event_time < ? ORDER BY seq');
    this.setVersion = {
      user: db.prepare('UPDATE decisions SET user_version = ? WHERE transaction_id = ? AND user_version IS NULL'),
      merchant: db.prepare('UPDATE decisions SET merchant_version = ? WHERE transaction_id = ? AND merchant_version IS NULL'),
    };
    this.selectUnapplied = db.prepare('SELECT * FROM decisions WHERE (user_version IS NULL OR merchant_version IS NULL) AND decided_at < ? ORDER BY seq LIMIT ?');
    const script = options.writerThread ?? null;
    if (script !== null && db.memory) throw new TypeError('an in-memory decision log cannot be written by a writer thread (its connection cannot open the database)');
    if (script === null) this.sink = inThreadSink(db);
    else {
      const thread = writerThreadSink(script, db.name);
      // Started now, not on the first write: the first answer must not wait for a thread to boot.
      thread.warm();
      this.sink = thread;
    }
    this.buffer = new DecisionBuffer(this.sink, writer);
    this.seen = options.soleWriter === true ? this.loadSeen() : null;
  }

  append(record: DecisionRecord): void {
    this.seen?.add(record.transactionId);
    this.buffer.append(record);
  }

  commit(record: DecisionRecord): Promise<DecisionRecord> {
    this.append(record);
    return this.buffer.durable(record.transactionId).then(() => record);
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

  get(transactionId: string): Promise<DecisionRecord | null> {
    return Promise.resolve(this.getSync(transactionId));
  }

  getSync(transactionId: string): DecisionRecord | null {
    const pending = this.buffer.find(transactionId);
    if (pending !== undefined) return pending;
    if (this.seen !== null && !this.seen.mightContain(transactionId)) return null;
    const row = this.selectOne.get(transactionId);
    return row === undefined ? null : fromRow(row);
  }

  /** The ids of the table and of the spill files (a crashed run's left-overs, replayed soon). */
  private loadSeen(): IdFilter {
    const seen = new IdFilter();
    const ids = this.db.prepare<[], string>('SELECT transaction_id FROM decisions').pluck();
    for (const id of ids.iterate()) seen.add(id);
    this.buffer.forEachSpilled((r) => seen.add(r.transactionId));
    return seen;
  }

  list(range: DecisionRange): Promise<LoggedDecision[]> {
    return Promise.resolve(this.selectRange.all(range.fromEpochSeconds, range.toEpochSeconds).map(fromRow));
  }

  pending(): number {
    return this.buffer.pending();
  }

  setAppliedVersions(versions: readonly AppliedVersion[]): Promise<boolean[]> {
    const stored = this.db.transaction(() =>
      versions.map((v) => {
        if (this.buffer.find(v.transactionId) !== undefined) return false;
        this.setVersion[v.role].run(v.version, v.transactionId);
        return this.selectOne.get(v.transactionId) !== undefined;
      }),
    );
    return Promise.resolve(stored());
  }

  hasHistory(): Promise<boolean> {
    const row = this.db.prepare('SELECT 1 AS x FROM decisions WHERE user_version IS NOT NULL OR merchant_version IS NOT NULL LIMIT 1').get();
    return Promise.resolve(row !== undefined || this.buffer.pending() > 0);
  }

  unapplied(decidedBefore: string, limit: number): Promise<UnappliedDecision[]> {
    return Promise.resolve(
      this.selectUnapplied.all(decidedBefore, limit).map((row) => {
        const r = fromRow(row);
        return { transaction: r.transaction, roles: unappliedDecisionRoles(r) };
      }),
    );
  }

  flush(): Promise<void> {
    return this.buffer.flush();
  }

  ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
    return Promise.resolve();
  }

  async close(): Promise<void> {
    await this.buffer.close();
    await this.sink.close();
  }
}
