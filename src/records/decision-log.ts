import type { EntityRole, Transaction } from '../../features';
import type { WriteState } from './buffered-writer';
import type { DecisionRecord } from './decision-record';

/** A decision with its position in the log (arrival order). */
export interface LoggedDecision extends DecisionRecord {
  /** Monotonic position in the log. */
  readonly seq: number;
}

/** Selects decisions by event time, half-open [fromEpochSeconds, toEpochSeconds). */
export interface DecisionRange {
  readonly fromEpochSeconds: number;
  readonly toEpochSeconds: number;
}

/** Where a decision's own change was merged into one profile. */
export interface AppliedVersion {
  readonly transactionId: string;
  readonly role: EntityRole;
  readonly version: number;
}

/** A decision whose own change is not yet known merged into `roles` (see reconciliation). */
export interface UnappliedDecision {
  readonly transaction: Transaction;
  readonly roles: readonly EntityRole[];
}

/** The roles a decision's change is still to be merged into. */
export function unappliedDecisionRoles(r: Pick<DecisionRecord, 'userVersion' | 'merchantVersion'>): EntityRole[] {
  const roles: EntityRole[] = [];
  if (r.userVersion === null) roles.push('user');
  if (r.merchantVersion === null) roles.push('merchant');
  return roles;
}

/**
 * The decision log port (SQLite embedded, PostgreSQL in production; both pass test/contract).
 *
 * `append` never blocks the caller and never throws: records are buffered and written in batches;
 * when the sink fails they stay buffered (bounded), then spill to disk, and are replayed when it
 * recovers. `get` sees buffered records too. `flush` resolves when everything appended so far is
 * durable (or rejects when the sink is down); `close` flushes, then releases the connection.
 * A transactionId is stored once: a second record for the same id is ignored by the sink.
 */
export interface DecisionLog {
  readonly kind: 'sqlite' | 'postgres';
  append(record: DecisionRecord): void;
  /**
   * Appends `record` and resolves once it is durable: committed by the log, with the record the
   * log stored for its transactionId (this one, or for a log shared by replicas the one another
   * replica committed first: the log's unique key decides; every replica reads it from then on),
   * or persisted by {@link persist} (then this one). While the log is down the promise stays
   * pending (the record stays buffered): callers bound the wait and then call `persist`.
   */
  commit(record: DecisionRecord): Promise<DecisionRecord>;
  /**
   * Makes every record appended so far durable on local disk without the log: moved to the spill
   * file, which is synced, and replayed into the log once it takes writes again. Rejects with the
   * file system's error (the records stay buffered in memory).
   */
  persist(): Promise<void>;
  /** Resolves once the record appended for `transactionId` is durable (at once when none waits). */
  durable(transactionId: string): Promise<void>;
  /**
   * How the log's writes go: `failing` (the latest write failed, or one is stalled beyond
   * `stallMs`), `replaying` (records spilled during an outage are being written first), `ok`.
   */
  writeState(stallMs: number): WriteState;
  get(transactionId: string): Promise<DecisionRecord | null>;
  /** What `get` answers, synchronously: only adapters whose reads are local (SQLite) have it. */
  getSync?(transactionId: string): DecisionRecord | null;
  /**
   * The record this process holds for `transactionId` and has not written yet (buffered, or in
   * the spill file, including one a previous process on the same DATA_DIR left), synchronously;
   * null when it holds none (the shared log may still have one). Shared logs (PostgreSQL) have it:
   * a retry of an answer whose record is still on its way is answered from here.
   */
  pendingSync?(transactionId: string): DecisionRecord | null;
  /**
   * The record the shared store holds for `transactionId`, ignoring what this process has not
   * written yet; null when it holds none. Shared logs (PostgreSQL) have it: an answer whose commit
   * is late checks with it that no earlier attempt (before a restart, on another replica) was
   * committed first, since its own record, still buffered, would hide that one from `get`.
   */
  getCommitted?(transactionId: string): Promise<DecisionRecord | null>;
  /** Decisions with event time in the range, in log order (seq ascending). Loads them all: for tests and small ranges. */
  list(range: DecisionRange): Promise<LoggedDecision[]>;
  /**
   * Records the versions at which stored decisions' own changes were merged into their profiles
   * (reconciliation), where none is recorded already. Resolves with one flag per entry: false when
   * that decision is not stored yet (still buffered): try it again later.
   */
  setAppliedVersions(versions: readonly AppliedVersion[]): Promise<boolean[]>;
  /** Stored decisions with a change not yet known merged, decided before `decidedBefore` (ISO 8601), oldest first. */
  unapplied(decidedBefore: string, limit: number): Promise<UnappliedDecision[]>;
  /** Whether any stored decision has a profile version (profiles were built from this log). */
  hasHistory(): Promise<boolean>;
  /** Records appended but not yet durable. */
  pending(): number;
  flush(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
