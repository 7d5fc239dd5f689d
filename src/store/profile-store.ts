import type { EntityRole, ProfileDelta, ProfileState } from '../../features';

/** The user's and the merchant's profile of one transaction. */
export interface ProfilePair {
  readonly user: ProfileState;
  readonly merchant: ProfileState;
}

/** One commutative change to one profile. */
export interface ProfileUpdate {
  readonly role: EntityRole;
  readonly id: string;
  readonly delta: ProfileDelta;
}

/**
 * The profile store port. Adapters: in-process memory (default), Redis, Couchbase; all pass the
 * shared contract suite (test/contract).
 *
 * - `get` fetches both profiles in one round trip; an entity never seen is an empty profile. The
 *   returned state must not be mutated by the caller. Rejects when the store fails.
 * - `apply` merges every update; each profile's update is atomic, and because deltas commute,
 *   concurrent writers from many service replicas need no read-modify-write.
 */
export interface ProfileStore {
  readonly kind: 'memory' | 'redis' | 'couchbase';
  get(userId: string, merchantId: string): Promise<ProfilePair>;
  apply(updates: readonly ProfileUpdate[]): Promise<void>;
  /** Resolves when the store is reachable; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
