import type { EntityRole, ProfileDelta, ProfileState, Transaction } from '../../features';

/** The user's and the merchant's profile of one transaction, with the versions they are at. */
export interface ProfilePair {
  readonly user: ProfileState;
  readonly merchant: ProfileState;
  readonly userVersion: number;
  readonly merchantVersion: number;
}

/**
 * What one step changes on one entity: a transaction (the store reads the profile, then merges the
 * transaction's delta) or a bare delta (a label's, which needs no read).
 */
export type EntityChange = { readonly kind: 'transaction'; readonly txn: Transaction } | { readonly kind: 'delta'; readonly delta: ProfileDelta };

/** One atomic step on one entity. */
export interface EntityOp {
  readonly role: EntityRole;
  readonly id: string;
  /**
   * Idempotency key of the change on this entity (a transactionId, or a label's key). A change is
   * merged at most once per (role, id, claim): a step that finds the claim taken changes nothing.
   * Claims are kept for the store's claim window (see each adapter).
   */
  readonly claim: string;
  readonly change: EntityChange;
}

/**
 * What a step did on one entity. `applied`: this step merged the change at `appliedVersion`, and
 * `state` is the profile *before* it (`version` = `appliedVersion - 1`). `claimed`: an earlier step
 * with the same claim merged it at `appliedVersion`; nothing changed now, and `state` is the current
 * profile at `version` (>= `appliedVersion`). `state` is null for delta changes (not read).
 * `lost`: the store has lost data this entity's history lived in (a Redis restarted without
 * persistence) and refuses to build on it; nothing was read or changed (`fraudctl profiles rebuild`).
 */
export type EntityOutcome =
  | { readonly kind: 'applied' | 'claimed'; readonly state: ProfileState | null; readonly version: number; readonly appliedVersion: number }
  | { readonly kind: 'lost' };

/** Versions of a synchronous transaction step, per entity (see {@link ProfileStore.transactionSync}). */
export interface StepVersions {
  readonly kind: 'applied' | 'claimed';
  /** Version of the state the visitor saw. */
  readonly version: number;
  readonly appliedVersion: number;
}

/** A whole profile as a store holds it, for rebuilds, dumps and snapshot files. */
export interface StoredProfile {
  readonly role: EntityRole;
  readonly id: string;
  readonly state: ProfileState;
  /** Number of changes merged into it since it was created (0 = none). */
  readonly version: number;
}

/**
 * The profile store port. Adapters: in-process memory (default), Redis (standalone or Cluster),
 * Couchbase; all pass the shared contract suite (test/contract).
 *
 * Every entity has a version, the number of changes merged into it, which outlives its profile: an
 * idle profile evicted or expired past the feature horizon (no feature changes) reads as empty and
 * the entity's next change continues its numbering. A step reads an entity and
 * merges one change into it as one atomic operation, so the state a transaction was scored on and
 * the version its own change got are exact whatever other replicas do at the same moment; a replay
 * that merges each entity's changes in version order reproduces every state the service read.
 * Steps on different entities are independent (a user and a merchant can live on different
 * Redis Cluster nodes) and each is idempotent on its own claim.
 */
export interface ProfileStore {
  readonly kind: 'memory' | 'redis' | 'couchbase';
  /**
   * Runs every op, each atomically on its entity, sent together (one round trip of latency).
   * Returns one promise per op, in op order; a promise rejects when its op failed or timed out (its
   * outcome is then unknown: it may have been merged; retrying with the same claim is safe). Throws
   * a RangeError before any I/O for a delta that is not integral.
   */
  step(ops: readonly EntityOp[]): Promise<EntityOutcome>[];
  /**
   * The synchronous transaction step, for stores whose profiles are in this process (declared by
   * having it): claims `txn.transactionId` on the user and the merchant, calls `visit` with both
   * states as the step reads them (the state before the change, or the current one when already
   * claimed; valid only during the call, never to be kept or changed), then merges the changes.
   */
  transactionSync?(txn: Transaction, visit: (user: ProfileState, merchant: ProfileState) => void): { readonly user: StepVersions; readonly merchant: StepVersions };
  /**
   * Both profiles and their versions (read only; unknown entities are empty at version 0, entities
   * whose profile was evicted or expired after the horizon empty at their version).
   */
  get(userId: string, merchantId: string): Promise<ProfilePair>;
  /** Whole-store operations for rebuilds and checks (stores that support them). */
  readonly admin?: ProfileStoreAdmin;
  /** Resolves when the store is reachable; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A key under which a label's change is claimed: never a transactionId ('/' is not allowed in ids). */
export function labelClaim(source: string, transactionId: string): string {
  return `label/${source}/${transactionId}`;
}

/**
 * Whole-store operations (`fraudctl profiles`, start-up checks). Stores that can lose data silently
 * (a Redis without persistence) keep one sentinel key per hash slot; the others report no slot lost.
 */
export interface ProfileStoreAdmin {
  /** Every profile stored, in no particular order; an evicted or expired one as an empty profile at its kept version. */
  profiles(): AsyncIterable<StoredProfile>;
  /** Replaces one profile (state and version) and records `claims` (claim, version) as merged. */
  put(profile: StoredProfile, claims?: readonly (readonly [string, number])[]): Promise<void>;
  /** Number of sentinel slots (0: the store keeps none). */
  readonly slots: number;
  /** The slot an entity lives in (0 when the store keeps no sentinels). */
  slotOf(role: EntityRole, id: string): number;
  /** Slots whose sentinel is missing, ascending: all of them for a store never initialised or wholly lost. */
  lostSlots(): Promise<number[]>;
  /** Creates the sentinels of `slots` (default: all); steps on those slots work again. */
  restoreSentinels(slots?: readonly number[]): Promise<void>;
}
