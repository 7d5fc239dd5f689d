import type { ListEntries } from './rule-set';
import type { ListEntry, ListStore } from './list-store';

/** Changes read per query while catching up. */
const PAGE = 10_000;

export interface ListSnapshotOptions {
  /** How often the shared store is polled for changes, ms (0 = only at load and on {@link ListSnapshot.sync}). */
  readonly intervalMs: number;
  /** A poll that failed (the snapshot keeps what it holds and tries again on the next tick). */
  readonly onError: (err: unknown) => void;
  /** After every successful catch-up: entries per list. */
  readonly onSynced?: (counts: ReadonlyMap<string, number>) => void;
  /** Monotonic clock, ms. */
  readonly now: () => number;
}

/**
 * This replica's copy of every list, for rules to read synchronously on the hot path: loaded whole
 * at start, then caught up with the shared store's changes every `intervalMs` (so a change made on
 * any replica is seen here within about that long), and at once for a change made here. Each
 * list's `Map` is one object for the snapshot's life, changed in place, so a rule set's view of
 * the lists is built once, not per request.
 */
export class ListSnapshot {
  private readonly lists = new Map<string, Map<string, true>>();
  private revision = 0;
  private syncedAt: number;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly store: ListStore,
    private readonly opts: ListSnapshotOptions,
  ) {
    this.syncedAt = opts.now();
  }

  /** Loads every list from `store` (rejects when it cannot) and starts polling. */
  static async load(store: ListStore, opts: ListSnapshotOptions): Promise<ListSnapshot> {
    const snapshot = new ListSnapshot(store, opts);
    await snapshot.catchUp();
    if (opts.intervalMs > 0) {
      snapshot.timer = setInterval(() => {
        snapshot.sync().catch(opts.onError);
      }, opts.intervalMs);
      snapshot.timer.unref();
    }
    return snapshot;
  }

  /** The entries of `list` (empty until a value is added), the same object for the snapshot's life. */
  entries(list: string): ListEntries {
    let m = this.lists.get(list);
    if (m === undefined) {
      m = new Map();
      this.lists.set(list, m);
    }
    return m;
  }

  /** The highest revision applied. */
  get appliedRevision(): number {
    return this.revision;
  }

  /** Milliseconds since the snapshot last caught up with the store. */
  age(): number {
    return this.opts.now() - this.syncedAt;
  }

  /** Catches up with the store now (a poll already running is joined, not repeated). */
  sync(): Promise<void> {
    if (this.running === null) {
      this.running = this.catchUp().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  /** Applies a change this replica just committed, so its own next decision sees it at once. */
  apply(e: ListEntry): void {
    const m = this.entries(e.list) as Map<string, true>;
    if (e.present) m.set(e.value, true);
    else m.delete(e.value);
    // Revisions below it may still be unseen here: the next poll reads from the last caught-up one.
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private async catchUp(): Promise<void> {
    for (;;) {
      const changes = await this.store.changesSince(this.revision, PAGE);
      for (const e of changes) {
        this.apply(e);
        this.revision = e.revision;
      }
      if (changes.length < PAGE) break;
    }
    this.syncedAt = this.opts.now();
    if (this.opts.onSynced !== undefined) {
      const counts = new Map<string, number>();
      for (const [name, m] of this.lists) counts.set(name, m.size);
      this.opts.onSynced(counts);
    }
  }
}
