import { applyDelta, applyTransaction, copyProfile, emptyProfile, transactionTime, type EntityRole, type ProfileState, type Transaction } from '../../features';
import { groupIncrements } from './profile-codec';
import type { EntityOp, EntityOutcome, ProfilePair, ProfileStore, ProfileStoreAdmin, StepVersions, StoredProfile } from './profile-store';
import { readSnapshot, writeSnapshot } from './profile-snapshot';
import { claimed, MEMORY_CLAIMS_PER_ENTITY, ProfileTable, remember, type Entry, type ProfileTableStats } from './memory-profile-table';

export { MEMORY_CLAIMS_PER_ENTITY, type EvictionReason } from './memory-profile-table';

/** What bounds the memory store (see {@link ProfileTable}); every limit defaults to none. */
export interface MemoryProfileStoreOptions {
  /**
   * Profiles held at most, users and merchants together (about 3.5 KB of RSS each, see docs/performance.md).
   * Beyond it the least recently stepped are evicted: their next transactions score as a new
   * entity's, which the retraining parity check (a replay of each entity's whole history) reports
   * as mismatches; size it above the entities active within the horizon. Default: no bound.
   */
  readonly maxProfiles?: number;
  /**
   * How far behind the latest event time merged a later event may still be, seconds: the service
   * refuses events older than EVENT_MAX_AGE_S, and those up to EVENT_MAX_SKEW_S ahead of its clock
   * may raise the latest time, so their sum. A profile nothing of which an event that old can see
   * (features/profile-state.ts `forgottenFrom`: ~90 days after its last transaction) is evicted as
   * idle, which changes no feature of any event the service admits. Default Infinity: none is.
   */
  readonly idleGraceSeconds?: number;
  /** Versions of evicted entities kept at most (id and version, about 130 bytes each). Default: no bound. */
  readonly maxTombstones?: number;
}

/** The memory store's counts: profiles and tombstones held, evictions, tombstones dropped. */
export type MemoryProfileStoreStats = ProfileTableStats;

function limit(name: string, v: number | undefined, min: number): number {
  if (v === undefined || v === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (!(Number.isSafeInteger(v) && v >= min)) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/**
 * The embedded profile store: every profile in this process's memory. Fast and dependency-free,
 * but neither shared between replicas nor durable: seed it from a snapshot at start
 * (`PROFILE_SNAPSHOT`) and use Redis or Couchbase when more than one replica serves.
 *
 * Steps are synchronous, hence atomic. Each entity remembers its last {@link MEMORY_CLAIMS_PER_ENTITY}
 * claims (a retry of an older one would be merged again): a service on this store is one process,
 * and it checks a transaction against its decision log before scoring it. Memory is bounded by the
 * options: idle profiles go without changing a feature, the least recently used beyond
 * `maxProfiles` go with; an evicted entity keeps counting its versions (see memory-profile-table.ts).
 */
export class MemoryProfileStore implements ProfileStore, ProfileStoreAdmin {
  readonly kind = 'memory';
  readonly admin: ProfileStoreAdmin = this;
  /** Nothing is ever lost silently here: no sentinels. */
  readonly slots = 0;
  private readonly table: ProfileTable;
  /** What an unknown or evicted entity reads as (shared: never changed). */
  private static readonly EMPTY = emptyProfile();

  private constructor(options: MemoryProfileStoreOptions) {
    this.table = new ProfileTable({
      maxProfiles: limit('maxProfiles', options.maxProfiles, 2),
      idleGraceSeconds: options.idleGraceSeconds ?? Number.POSITIVE_INFINITY,
      maxTombstones: limit('maxTombstones', options.maxTombstones, 0),
    });
    const grace = options.idleGraceSeconds;
    if (grace !== undefined && !(grace >= 0)) throw new RangeError(`idleGraceSeconds must be >= 0, got ${grace}`);
  }

  /**
   * A store seeded from a snapshot file (see profile-snapshot.ts), or empty without one. Throws a
   * RangeError for an invalid option; rejects naming the line of a malformed snapshot.
   */
  static async create(snapshotPath?: string, options: MemoryProfileStoreOptions = {}): Promise<MemoryProfileStore> {
    const store = new MemoryProfileStore(options);
    if (snapshotPath !== undefined) for await (const p of readSnapshot(snapshotPath)) await store.put(p);
    return store;
  }

  /** Number of profiles held, per role (evicted ones not counted). */
  size(): { users: number; merchants: number } {
    const { held } = this.table.stats();
    return { users: held.user, merchants: held.merchant };
  }

  /** Profiles and tombstones held, evictions by role and reason, tombstones dropped (metrics read them). */
  stats(): MemoryProfileStoreStats {
    return this.table.stats();
  }

  get(userId: string, merchantId: string): Promise<ProfilePair> {
    return Promise.resolve(this.getSync(userId, merchantId));
  }

  /** What `get` answers, now; the states are live (never change them). */
  getSync(userId: string, merchantId: string): ProfilePair {
    const u = this.table.find('user', userId);
    const m = this.table.find('merchant', merchantId);
    return {
      user: u?.state ?? MemoryProfileStore.EMPTY,
      merchant: m?.state ?? MemoryProfileStore.EMPTY,
      userVersion: u?.version ?? this.table.retiredVersion('user', userId),
      merchantVersion: m?.version ?? this.table.retiredVersion('merchant', merchantId),
    };
  }

  step(ops: readonly EntityOp[]): Promise<EntityOutcome>[] {
    // Validate every delta first: a bad one rejects the call before anything changes.
    for (const op of ops) if (op.change.kind === 'delta') groupIncrements(op.change.delta);
    return ops.map((op) => Promise.resolve(this.stepOne(op)));
  }

  transactionSync(txn: Transaction, visit: (user: ProfileState, merchant: ProfileState) => void): { readonly user: StepVersions; readonly merchant: StepVersions } {
    const t = transactionTime(txn);
    const u = this.table.touch('user', txn.userId);
    const m = this.table.touch('merchant', txn.merchantId);
    const id = txn.transactionId;
    const uc = claimed(u, id);
    const mc = claimed(m, id);
    visit(u.state, m.state);
    const result = { user: this.merge(u, 'user', txn, t, uc), merchant: this.merge(m, 'merchant', txn, t, mc) };
    this.table.saw(t);
    this.table.sweep();
    return result;
  }

  /**
   * Sets a whole profile and its version (snapshot loading, rebuilds, tests), remembering `claims`.
   * An empty state at a version above 0 is kept as that entity's tombstone (claims dropped).
   */
  put(p: StoredProfile, claims: readonly (readonly [string, number])[] = []): Promise<void> {
    const e = this.table.replace(p.role, p.id, p.state, p.version);
    if (e !== null) for (const [claim, version] of claims.slice(-MEMORY_CLAIMS_PER_ENTITY)) remember(e, claim, version);
    if (p.state.lastSeen !== Number.NEGATIVE_INFINITY) this.table.saw(p.state.lastSeen);
    this.table.sweep();
    return Promise.resolve();
  }

  slotOf(): number {
    return 0;
  }

  lostSlots(): Promise<number[]> {
    return Promise.resolve([]);
  }

  restoreSentinels(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Every entity held, users first, then the tombstones of evicted ones (as empty profiles at their
   * versions). Live states: copy before changing.
   */
  *entries(): Generator<StoredProfile> {
    for (const role of ['user', 'merchant'] as const) for (const [id, e] of this.table.held(role)) yield { role, id, state: e.state, version: e.version };
    for (const role of ['user', 'merchant'] as const) for (const [id, version] of this.table.tombstones(role)) yield { role, id, state: MemoryProfileStore.EMPTY, version };
  }

  async *profiles(): AsyncGenerator<StoredProfile> {
    yield* this.entries();
  }

  /** Writes every profile and tombstone to a snapshot file; resolves to the number of lines written. */
  snapshot(path: string): Promise<number> {
    return writeSnapshot(path, this.entries());
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private merge(e: Entry, role: EntityRole, txn: Transaction, t: number, claimedAt: number): StepVersions {
    if (claimedAt >= 0) return { kind: 'claimed', version: e.version, appliedVersion: claimedAt };
    applyTransaction(e.state, role, txn, t);
    e.version += 1;
    remember(e, txn.transactionId, e.version);
    return { kind: 'applied', version: e.version - 1, appliedVersion: e.version };
  }

  private stepOne(op: EntityOp): EntityOutcome {
    const e = this.table.touch(op.role, op.id);
    const at = claimed(e, op.claim);
    const reads = op.change.kind === 'transaction';
    if (at >= 0) return { kind: 'claimed', state: reads ? copyProfile(e.state) : null, version: e.version, appliedVersion: at };
    const before = reads ? copyProfile(e.state) : null;
    if (op.change.kind === 'transaction') {
      const t = transactionTime(op.change.txn);
      applyTransaction(e.state, op.role, op.change.txn, t);
      this.table.saw(t);
    } else {
      applyDelta(e.state, op.change.delta);
      if (op.change.delta.seenAt !== null) this.table.saw(op.change.delta.seenAt);
    }
    e.version += 1;
    remember(e, op.claim, e.version);
    this.table.sweep();
    return { kind: 'applied', state: before, version: e.version - 1, appliedVersion: e.version };
  }
}
