/** One allow- or block-list entry as the shared store holds it (removed entries stay, as tombstones). */
export interface ListEntry {
  readonly list: string;
  readonly value: string;
  /** False once removed: a replica that held it drops it. */
  readonly present: boolean;
  /** Position of this change among every list change, 1, 2, … in commit order. */
  readonly revision: number;
  /** Wall-clock time of the change (ISO 8601). */
  readonly changedAt: string;
  /** The authenticated client that made it. */
  readonly changedBy: string;
  /** Why, as the caller said (audit); null when not given. */
  readonly reason: string | null;
}

/** A change to make: add (`present`) or remove a value. */
export type ListChange = Omit<ListEntry, 'revision'>;

/**
 * Where list entries live: durable, shared by every replica (PostgreSQL with DECISION_LOG=postgres,
 * the SQLite database otherwise). Changes are numbered by `revision` in commit order, so a replica
 * that has seen every change up to N never misses one below N.
 */
export interface ListStore {
  /** Applies a change durably (committed when it resolves) and returns it with its revision. */
  change(c: ListChange): Promise<ListEntry>;
  /** The entry (present or a tombstone), or null when the value was never listed. */
  get(list: string, value: string): Promise<ListEntry | null>;
  /** Changes with a revision above `revision`, in revision order, at most `limit`. */
  changesSince(revision: number, limit: number): Promise<ListEntry[]>;
  close(): Promise<void>;
}
