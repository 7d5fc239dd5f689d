/**
 * Profile aggregate state of one entity (a user or a merchant) and the one way to change it:
 * merging a {@link ProfileDelta}.
 *
 * The state is a set of bucketed time series ("tiers"), a few scalars and bounded sets. Every change
 * is a commutative, associative merge, so a networked store can apply a delta atomically without a
 * read-modify-write race:
 *
 * - counter increment `(tier, bucket, field, by)`: add (Redis `HINCRBY`, Couchbase sub-document
 *   `increment`);
 * - `top` of a tier: max of every bucket id ever incremented in it; `lastSeen`: max of `seenAt`;
 * - set member `(set, key, at)`: keep the max `at` per key.
 *
 * Visibility makes eviction a matter of garbage collection, never of semantics: a bucket is visible
 * only when `top - length < id <= top`, a set member only when `at > lastSeen - SET_HORIZON_SECONDS`.
 * Deleting invisible buckets or members at any time changes no feature, and applying the same
 * deltas in any order yields the same visible state.
 */

export type TierName = 'm5' | 'h1' | 'd1';
export type CounterField = 'n' | 's' | 'f';
export type SetName = 'merchants' | 'channels' | 'countries';

export interface TierSpec {
  readonly name: TierName;
  /** Width of one bucket in seconds; bucket id = floor(epochSeconds / bucketSeconds). */
  readonly bucketSeconds: number;
  /** How many consecutive bucket ids stay visible below and including `top`. */
  readonly length: number;
}

/** The tiers, in index order. A tier is referred to by its index in deltas. */
export const TIERS: readonly TierSpec[] = [
  { name: 'm5', bucketSeconds: 300, length: 24 },
  { name: 'h1', bucketSeconds: 3_600, length: 48 },
  { name: 'd1', bucketSeconds: 86_400, length: 40 },
];

export const TIER_INDEX: Readonly<Record<TierName, number>> = { m5: 0, h1: 1, d1: 2 };

/** Counter fields: `n` transaction count, `s` amount sum in centi-units, `f` known-fraud count. */
export const COUNTER_FIELDS: readonly CounterField[] = ['n', 's', 'f'];

export const SET_NAMES: readonly SetName[] = ['merchants', 'channels', 'countries'];

/** How long a set member stays visible after the entity's last transaction time, in seconds. */
export const SET_HORIZON_SECONDS = 90 * 86_400;

/** One tier as a ring buffer: slot = id mod length holds the largest id mapped to it. */
export interface BucketRing {
  /** Largest bucket id ever incremented; -Infinity when none. */
  top: number;
  /** Bucket id held by each slot; NaN when the slot was never used. */
  readonly ids: Float64Array;
  readonly n: Float64Array;
  readonly s: Float64Array;
  readonly f: Float64Array;
}

export interface ProfileState {
  /** Largest transaction time applied, epoch seconds; -Infinity when none. */
  lastSeen: number;
  /** Lifetime number of transactions applied. */
  total: number;
  readonly rings: readonly BucketRing[];
  readonly sets: Readonly<Record<SetName, Map<string, number>>>;
}

export interface CounterIncrement {
  /** Index into {@link TIERS}. */
  readonly tier: number;
  readonly bucket: number;
  readonly field: CounterField;
  readonly by: number;
}

export interface MemberUpdate {
  readonly set: SetName;
  readonly key: string;
  /** Epoch seconds. */
  readonly at: number;
}

/** A commutative change to one profile. */
export interface ProfileDelta {
  readonly counters: readonly CounterIncrement[];
  /** Transaction time to fold into `lastSeen` (max); null for label deltas. */
  readonly seenAt: number | null;
  /** Added to the lifetime transaction count. */
  readonly total: number;
  readonly members: readonly MemberUpdate[];
}

function createRing(length: number): BucketRing {
  return {
    top: Number.NEGATIVE_INFINITY,
    ids: new Float64Array(length).fill(Number.NaN),
    n: new Float64Array(length),
    s: new Float64Array(length),
    f: new Float64Array(length),
  };
}

/** A profile that has seen nothing (a new user or merchant). */
export function emptyProfile(): ProfileState {
  return {
    lastSeen: Number.NEGATIVE_INFINITY,
    total: 0,
    rings: TIERS.map((t) => createRing(t.length)),
    sets: { merchants: new Map(), channels: new Map(), countries: new Map() },
  };
}

/** Slot of a bucket id in a ring of `length` slots (ids may be negative before 1970). */
export function slotOf(id: number, length: number): number {
  const r = id % length;
  return r < 0 ? r + length : r;
}

/** True when bucket `id` of `ring` is visible (see the module comment). */
export function isBucketVisible(ring: BucketRing, length: number, id: number): boolean {
  return id <= ring.top && id > ring.top - length;
}

function addCounter(ring: BucketRing, length: number, id: number, field: CounterField, by: number): void {
  if (id <= ring.top - length) return; // invisible now and forever: top never decreases
  if (id > ring.top) ring.top = id;
  const slot = slotOf(id, length);
  if (ring.ids[slot] !== id) {
    // The slot holds an older id that is no longer visible (or nothing): recycle it.
    ring.ids[slot] = id;
    ring.n[slot] = 0;
    ring.s[slot] = 0;
    ring.f[slot] = 0;
  }
  ring[field][slot] = (ring[field][slot] as number) + by;
}

/** Largest set size before invisible members are swept from memory. */
const SWEEP_THRESHOLD = 64;

/**
 * Merges `delta` into `state` in place. Deterministic, no I/O, no clock; merging deltas in any
 * order gives the same visible state (see the module comment). Throws on an unknown tier index.
 */
export function applyDelta(state: ProfileState, delta: ProfileDelta): void {
  for (const c of delta.counters) {
    const tier = TIERS[c.tier];
    const ring = state.rings[c.tier];
    if (tier === undefined || ring === undefined) throw new RangeError(`unknown tier index ${c.tier}`);
    addCounter(ring, tier.length, c.bucket, c.field, c.by);
  }
  if (delta.seenAt !== null && delta.seenAt > state.lastSeen) state.lastSeen = delta.seenAt;
  state.total += delta.total;
  for (const m of delta.members) {
    const set = state.sets[m.set];
    const prev = set.get(m.key);
    if (prev === undefined || m.at > prev) set.set(m.key, m.at);
  }
  if (delta.members.length > 0) sweepSets(state);
}

function sweepSets(state: ProfileState): void {
  const horizon = state.lastSeen - SET_HORIZON_SECONDS;
  for (const name of SET_NAMES) {
    const set = state.sets[name];
    if (set.size <= SWEEP_THRESHOLD) continue;
    for (const [key, at] of set) if (at <= horizon) set.delete(key);
  }
}

/** True when `key` is a visible member of `set` (seen within the horizon before `lastSeen`). */
export function hasMember(state: ProfileState, set: SetName, key: string): boolean {
  const at = state.sets[set].get(key);
  return at !== undefined && at > state.lastSeen - SET_HORIZON_SECONDS;
}

/**
 * Sum of `field` over the visible buckets of tier `tierIndex` with ids in `[from, to]`.
 */
export function windowSum(state: ProfileState, tierIndex: number, field: CounterField, from: number, to: number): number {
  const ring = state.rings[tierIndex] as BucketRing;
  const length = (TIERS[tierIndex] as TierSpec).length;
  const lo = Math.max(from, ring.top - length + 1);
  const hi = Math.min(to, ring.top);
  const values = ring[field];
  let sum = 0;
  for (let id = lo; id <= hi; id++) {
    const slot = slotOf(id, length);
    if (ring.ids[slot] === id) sum += values[slot] as number;
  }
  return sum;
}
