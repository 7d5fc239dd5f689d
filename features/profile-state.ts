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
  { name: 'm5', bucketSeconds: 300, length: 13 },
  { name: 'h1', bucketSeconds: 3_600, length: 25 },
  { name: 'd1', bucketSeconds: 86_400, length: 38 },
];

export const TIER_INDEX: Readonly<Record<TierName, number>> = { m5: 0, h1: 1, d1: 2 };

/** Counter fields: `n` transaction count, `s` amount sum in centi-units, `f` known-fraud count. */
export const COUNTER_FIELDS: readonly CounterField[] = ['n', 's', 'f'];

export const SET_NAMES: readonly SetName[] = ['merchants', 'channels', 'countries'];

/** How long a set member stays visible after the entity's last transaction time, in seconds. */
export const SET_HORIZON_SECONDS = 90 * 86_400;

/**
 * Layout of {@link ProfileState.data}: for each tier in order, a ring of `length` slots stored as four
 * consecutive arrays of `length` doubles (bucket ids, NaN = never used; then the `n`, `s` and `f`
 * counters); slot = id mod length holds the largest id mapped to it. After the rings, one `top` per
 * tier (largest bucket id ever incremented; -Infinity when none). One flat array keeps a profile in
 * a few cache lines' reach, which is what the replay and the hot path are bound by.
 */
export const RING_OFFSET: readonly number[] = TIERS.map((_, i) => TIERS.slice(0, i).reduce((sum, t) => sum + 4 * t.length, 0));

/** Index of tier `i`'s `top` in {@link ProfileState.data}. */
export const TOP_OFFSET = TIERS.reduce((sum, t) => sum + 4 * t.length, 0);

/** Length of {@link ProfileState.data}. */
export const PROFILE_DATA_LENGTH = TOP_OFFSET + TIERS.length;

/** Offset (in units of the tier length) of each counter inside a ring. */
export const FIELD_OFFSET: Readonly<Record<CounterField, number>> = { n: 1, s: 2, f: 3 };

export interface ProfileState {
  /** Largest transaction time applied, epoch seconds; -Infinity when none. */
  lastSeen: number;
  /** Lifetime number of transactions applied. */
  total: number;
  /** Every tier's ring and top; see {@link RING_OFFSET}. */
  readonly data: Float64Array;
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

/** A profile that has seen nothing (a new user or merchant). */
export function emptyProfile(): ProfileState {
  const data = new Float64Array(PROFILE_DATA_LENGTH);
  TIERS.forEach((t, i) => data.fill(Number.NaN, RING_OFFSET[i], (RING_OFFSET[i] as number) + t.length));
  data.fill(Number.NEGATIVE_INFINITY, TOP_OFFSET);
  return { lastSeen: Number.NEGATIVE_INFINITY, total: 0, data, sets: { merchants: new Map(), channels: new Map(), countries: new Map() } };
}

/** Slot of a bucket id in a ring of `length` slots (ids may be negative before 1970). */
export function slotOf(id: number, length: number): number {
  // Floor division instead of `%`: ids live in a Float64Array, and a float `%` is a libc fmod call
  // on the hot path. Exact for |id| < 2^52 / length (bucket ids are far below that).
  return id - Math.floor(id / length) * length;
}

/** The `top` of tier `tierIndex`: the largest bucket id ever incremented, -Infinity when none. */
export function tierTop(state: ProfileState, tierIndex: number): number {
  return state.data[TOP_OFFSET + tierIndex] as number;
}

/**
 * Adds `by` to counter `fieldOffset` (see {@link FIELD_OFFSET}) of bucket `id` of tier `tierIndex`.
 * The merge rule of the module comment: ids at or below `top - length` are dropped (invisible now
 * and forever, since `top` never decreases); a slot holding an older id is recycled.
 */
export function addToTier(state: ProfileState, tierIndex: number, id: number, fieldOffset: number, by: number): void {
  const length = (TIERS[tierIndex] as TierSpec).length;
  const d = state.data;
  const top = d[TOP_OFFSET + tierIndex] as number;
  if (id <= top - length) return;
  if (id > top) d[TOP_OFFSET + tierIndex] = id;
  const base = RING_OFFSET[tierIndex] as number;
  const slot = base + slotOf(id, length);
  if (d[slot] !== id) {
    d[slot] = id;
    d[slot + length] = 0;
    d[slot + 2 * length] = 0;
    d[slot + 3 * length] = 0;
  }
  d[slot + fieldOffset * length] = (d[slot + fieldOffset * length] as number) + by;
}

/**
 * Exactly `addToTier(state, tierIndex, id, n, 1)` then `addToTier(state, tierIndex, id, s, amount)`
 * (one transaction's counters), with one look-up of the slot.
 */
export function addTransactionToTier(state: ProfileState, tierIndex: number, id: number, amount: number): void {
  const length = (TIERS[tierIndex] as TierSpec).length;
  const d = state.data;
  const top = d[TOP_OFFSET + tierIndex] as number;
  if (id <= top - length) return;
  if (id > top) d[TOP_OFFSET + tierIndex] = id;
  const slot = (RING_OFFSET[tierIndex] as number) + slotOf(id, length);
  if (d[slot] !== id) {
    d[slot] = id;
    d[slot + length] = 1;
    d[slot + 2 * length] = 0 + amount; // as a fresh bucket plus amount: the same bits, -0 included
    d[slot + 3 * length] = 0;
    return;
  }
  d[slot + length] = (d[slot + length] as number) + 1;
  d[slot + 2 * length] = (d[slot + 2 * length] as number) + amount;
}

/** Set size above which invisible members are swept from memory... */
const SWEEP_THRESHOLD = 64;
/** ...each time a new member brings the size to a multiple of this (amortised O(1) per member). */
const SWEEP_STEP = 32;

/**
 * Merges `delta` into `state` in place. Deterministic, no I/O, no clock; merging deltas in any
 * order gives the same visible state (see the module comment). Throws on an unknown tier index.
 */
export function applyDelta(state: ProfileState, delta: ProfileDelta): void {
  for (const c of delta.counters) {
    if (TIERS[c.tier] === undefined) throw new RangeError(`unknown tier index ${c.tier}`);
    addToTier(state, c.tier, c.bucket, FIELD_OFFSET[c.field], c.by);
  }
  if (delta.seenAt !== null && delta.seenAt > state.lastSeen) state.lastSeen = delta.seenAt;
  state.total += delta.total;
  for (const m of delta.members) addMember(state, m.set, m.key, m.at);
}

/**
 * Folds member `key` seen at `at` into `set` (max per key); apply `lastSeen` first. A set grown by
 * a new key past the sweep threshold drops the members that can never be visible again, but only at
 * every SWEEP_STEP-th size, so a large set is not scanned on every transaction.
 */
export function addMember(state: ProfileState, set: SetName, key: string, at: number): void {
  const m = state.sets[set];
  const prev = m.get(key);
  if (prev === undefined) {
    m.set(key, at);
    if (m.size > SWEEP_THRESHOLD && m.size % SWEEP_STEP === 0) {
      const horizon = state.lastSeen - SET_HORIZON_SECONDS;
      for (const [k, t] of m) if (t <= horizon) m.delete(k);
    }
  } else if (at > prev) m.set(key, at);
}

/** True when `key` is a visible member of `set` (seen within the horizon before `lastSeen`). */
export function hasMember(state: ProfileState, set: SetName, key: string): boolean {
  const at = state.sets[set].get(key);
  return at !== undefined && at > state.lastSeen - SET_HORIZON_SECONDS;
}

/**
 * Sum of `field` over the visible buckets of tier `tierIndex` with ids in `[from, to]`. The
 * straightforward reference; `computeFeatures` uses an equivalent single pass per tier.
 */
export function windowSum(state: ProfileState, tierIndex: number, field: CounterField, from: number, to: number): number {
  const length = (TIERS[tierIndex] as TierSpec).length;
  const top = tierTop(state, tierIndex);
  const lo = Math.max(from, top - length + 1);
  const hi = Math.min(to, top);
  const base = RING_OFFSET[tierIndex] as number;
  let sum = 0;
  for (let id = lo; id <= hi; id++) {
    const slot = base + slotOf(id, length);
    if (state.data[slot] === id) sum += state.data[slot + FIELD_OFFSET[field] * length] as number;
  }
  return sum;
}
