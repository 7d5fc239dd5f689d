import { applyDelta, applyTransaction, copyProfile, emptyProfile, type EntityRole, type ProfileState, type Transaction } from '../../features';
import { groupIncrements } from './profile-codec';
import type { EntityOp, EntityOutcome, ProfilePair, ProfileStore, ProfileStoreAdmin, StepVersions, StoredProfile } from './profile-store';
import { readSnapshot, writeSnapshot } from './profile-snapshot';

/** Claims each entity remembers (its most recent ones). */
export const MEMORY_CLAIMS_PER_ENTITY = 16;

/** One entity's profile, version and most recent claims (a ring, oldest overwritten first). */
interface Entry {
  readonly state: ProfileState;
  version: number;
  claims: string[] | null;
  claimVersions: number[] | null;
  nextClaim: number;
}

function entry(state: ProfileState, version: number): Entry {
  return { state, version, claims: null, claimVersions: null, nextClaim: 0 };
}

/** The version `claim` was applied at on `e`, or -1 when `e` does not remember it. */
function claimed(e: Entry, claim: string): number {
  const claims = e.claims;
  if (claims === null) return -1;
  for (let i = 0; i < claims.length; i++) if (claims[i] === claim) return (e.claimVersions as number[])[i] as number;
  return -1;
}

function remember(e: Entry, claim: string, version: number): void {
  if (e.claims === null) {
    e.claims = [];
    e.claimVersions = [];
  }
  const at = e.nextClaim;
  e.claims[at] = claim;
  (e.claimVersions as number[])[at] = version;
  e.nextClaim = (at + 1) % MEMORY_CLAIMS_PER_ENTITY;
}

/**
 * The embedded profile store: every profile in this process's memory. Fast and dependency-free,
 * but neither shared between replicas nor durable: seed it from a snapshot at start
 * (`PROFILE_SNAPSHOT`) and use Redis or Couchbase when more than one replica serves.
 *
 * Steps are synchronous, hence atomic. Each entity remembers its last {@link MEMORY_CLAIMS_PER_ENTITY}
 * claims (a retry of an older one would be merged again): a service on this store is one process,
 * and it checks a transaction against its decision log before scoring it.
 */
export class MemoryProfileStore implements ProfileStore, ProfileStoreAdmin {
  readonly kind = 'memory';
  readonly admin: ProfileStoreAdmin = this;
  /** Nothing is ever lost silently here: no sentinels. */
  readonly slots = 0;
  private readonly users = new Map<string, Entry>();
  private readonly merchants = new Map<string, Entry>();
  private static readonly EMPTY = emptyProfile();

  /** A store seeded from a snapshot file (see profile-snapshot.ts), or empty without one. */
  static async create(snapshotPath?: string): Promise<MemoryProfileStore> {
    const store = new MemoryProfileStore();
    if (snapshotPath !== undefined) for await (const p of readSnapshot(snapshotPath)) await store.put(p);
    return store;
  }

  /** Number of profiles held, per role. */
  size(): { users: number; merchants: number } {
    return { users: this.users.size, merchants: this.merchants.size };
  }

  get(userId: string, merchantId: string): Promise<ProfilePair> {
    return Promise.resolve(this.getSync(userId, merchantId));
  }

  /** What `get` answers, now; the states are live (never change them). */
  getSync(userId: string, merchantId: string): ProfilePair {
    const u = this.users.get(userId);
    const m = this.merchants.get(merchantId);
    return {
      user: u?.state ?? MemoryProfileStore.EMPTY,
      merchant: m?.state ?? MemoryProfileStore.EMPTY,
      userVersion: u?.version ?? 0,
      merchantVersion: m?.version ?? 0,
    };
  }

  step(ops: readonly EntityOp[]): Promise<EntityOutcome>[] {
    // Validate every delta first: a bad one rejects the call before anything changes.
    for (const op of ops) if (op.change.kind === 'delta') groupIncrements(op.change.delta);
    return ops.map((op) => Promise.resolve(this.stepOne(op)));
  }

  transactionSync(txn: Transaction, visit: (user: ProfileState, merchant: ProfileState) => void): { readonly user: StepVersions; readonly merchant: StepVersions } {
    const u = this.entryFor(this.users, txn.userId);
    const m = this.entryFor(this.merchants, txn.merchantId);
    const id = txn.transactionId;
    const uc = claimed(u, id);
    const mc = claimed(m, id);
    visit(u.state, m.state);
    return { user: this.merge(u, 'user', txn, uc), merchant: this.merge(m, 'merchant', txn, mc) };
  }

  /** Sets a whole profile and its version (snapshot loading, rebuilds, tests), remembering `claims`. */
  put(p: StoredProfile, claims: readonly (readonly [string, number])[] = []): Promise<void> {
    const e = entry(p.state, p.version);
    for (const [claim, version] of claims.slice(-MEMORY_CLAIMS_PER_ENTITY)) remember(e, claim, version);
    this.map(p.role).set(p.id, e);
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

  /** Every profile held, users first (live states: copy before changing). */
  *entries(): Generator<StoredProfile> {
    for (const [id, e] of this.users) yield { role: 'user', id, state: e.state, version: e.version };
    for (const [id, e] of this.merchants) yield { role: 'merchant', id, state: e.state, version: e.version };
  }

  async *profiles(): AsyncGenerator<StoredProfile> {
    yield* this.entries();
  }

  /** Writes every profile to a snapshot file; resolves to the number written. */
  snapshot(path: string): Promise<number> {
    return writeSnapshot(path, this.entries());
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private merge(e: Entry, role: EntityRole, txn: Transaction, claimedAt: number): StepVersions {
    if (claimedAt >= 0) return { kind: 'claimed', version: e.version, appliedVersion: claimedAt };
    applyTransaction(e.state, role, txn);
    e.version += 1;
    remember(e, txn.transactionId, e.version);
    return { kind: 'applied', version: e.version - 1, appliedVersion: e.version };
  }

  private stepOne(op: EntityOp): EntityOutcome {
    const e = this.entryFor(this.map(op.role), op.id);
    const at = claimed(e, op.claim);
    const reads = op.change.kind === 'transaction';
    if (at >= 0) return { kind: 'claimed', state: reads ? copyProfile(e.state) : null, version: e.version, appliedVersion: at };
    const before = reads ? copyProfile(e.state) : null;
    if (op.change.kind === 'transaction') applyTransaction(e.state, op.role, op.change.txn);
    else applyDelta(e.state, op.change.delta);
    e.version += 1;
    remember(e, op.claim, e.version);
    return { kind: 'applied', state: before, version: e.version - 1, appliedVersion: e.version };
  }

  /** The entry of `id`, created empty (and kept) when there is none yet. */
  private entryFor(map: Map<string, Entry>, id: string): Entry {
    let e = map.get(id);
    if (e === undefined) {
      e = entry(emptyProfile(), 0);
      map.set(id, e);
    }
    return e;
  }

  private map(role: EntityRole): Map<string, Entry> {
    return role === 'user' ? this.users : this.merchants;
  }
}
