import type { DecisionRecord } from './decision-record';

/** A decision with its position in the log (arrival order). */
export interface LoggedDecision extends DecisionRecord {
  /** Monotonic position in the log; replay order for retraining and parity checks. */
  readonly seq: number;
}

/** Selects decisions by event time, half-open [fromEpochSeconds, toEpochSeconds). */
export interface DecisionRange {
  readonly fromEpochSeconds: number;
  readonly toEpochSeconds: number;
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
  get(transactionId: string): Promise<DecisionRecord | null>;
  /** What `get` answers, synchronously: only adapters whose reads are local (SQLite) have it. */
  getSync?(transactionId: string): DecisionRecord | null;
  /** Decisions with event time in the range, in log order (seq ascending). */
  list(range: DecisionRange): Promise<LoggedDecision[]>;
  /** Records appended but not yet durable. */
  pending(): number;
  /** The largest applySeq stored or buffered (0 when empty): where a restarted sequence resumes. */
  maxApplySeq(): Promise<number>;
  flush(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
