import { applyDelta, applyTransaction, emptyProfile, type EntityRole, type ProfileState, type Transaction } from '../../features';
import type { ProfilePair, ProfileStore, ProfileUpdate } from './profile-store';
import { profileEntries, readSnapshot, writeSnapshot } from './profile-snapshot';

/**
 * The embedded profile store: every profile in this process's memory. Fast and dependency-free,
 * but neither shared between replicas nor durable: seed it from a snapshot at start
 * (`PROFILE_SNAPSHOT`) and use Redis or Couchbase when more than one replica serves.
 */
export class MemoryProfileStore implements ProfileStore {
  readonly kind = 'memory';
  private readonly users = new Map<string, ProfileState>();
  private readonly merchants = new Map<string, ProfileState>();
  private static readonly EMPTY = emptyProfile();

  /** A store seeded from a snapshot file (see profile-snapshot.ts), or empty without one. */
  static async create(snapshotPath?: string): Promise<MemoryProfileStore> {
    const store = new MemoryProfileStore();
    if (snapshotPath !== undefined) {
      for await (const [role, id, p] of readSnapshot(snapshotPath)) store.map(role).set(id, p);
    }
    return store;
  }

  /** Number of profiles held, per role. */
  size(): { users: number; merchants: number } {
    return { users: this.users.size, merchants: this.merchants.size };
  }

  get(userId: string, merchantId: string): Promise<ProfilePair> {
    return Promise.resolve(this.getSync(userId, merchantId));
  }

  /** The synchronous read the async port wraps; unknown entities share one empty profile. */
  getSync(userId: string, merchantId: string): ProfilePair {
    return { user: this.users.get(userId) ?? MemoryProfileStore.EMPTY, merchant: this.merchants.get(merchantId) ?? MemoryProfileStore.EMPTY };
  }

  apply(updates: readonly ProfileUpdate[]): Promise<void> {
    this.applySync(updates);
    return Promise.resolve();
  }

  /** Applies updates now (no await between them, so each is atomic with respect to readers). */
  applySync(updates: readonly ProfileUpdate[]): void {
    for (const u of updates) applyDelta(this.profileFor(u.role, u.id), u.delta);
  }

  /**
   * Applies a transaction to its user's and its merchant's profiles now: the same change as
   * `applySync` of its two `transactionDelta`s (`applyTransaction` is held equal to that), without
   * building them, which was 1.5 KB of garbage per scored request.
   */
  applyTransactionSync(txn: Transaction): void {
    applyTransaction(this.profileFor('user', txn.userId), 'user', txn);
    applyTransaction(this.profileFor('merchant', txn.merchantId), 'merchant', txn);
  }

  /** Sets a whole profile (snapshot loading, tests). */
  put(role: EntityRole, id: string, profile: ProfileState): void {
    this.map(role).set(id, profile);
  }

  /** Writes every profile to a snapshot file; resolves to the number written. */
  async snapshot(path: string): Promise<number> {
    return writeSnapshot(path, profileEntries({ users: this.users, merchants: this.merchants }));
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** The profile of `id`, created empty (and kept) when there is none yet. */
  private profileFor(role: EntityRole, id: string): ProfileState {
    const map = this.map(role);
    let p = map.get(id);
    if (p === undefined) {
      p = emptyProfile();
      map.set(id, p);
    }
    return p;
  }

  private map(role: EntityRole): Map<string, ProfileState> {
    return role === 'user' ? this.users : this.merchants;
  }
}
