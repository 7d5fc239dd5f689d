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
 * deltas in any order yields the same visible state. Likewise for a whole profile: once event time
 * has passed {@link forgottenFrom} (at most {@link PROFILE_HORIZON_SECONDS} after its last
 * transaction), replacing it by an empty one changes no feature. `total` is read by no feature.
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

/**
 * How long a set member stays visible, in seconds: stored while younger than this behind the
 * entity's `lastSeen`, and seen by a transaction while younger than this behind the later of its
 * own time and `lastSeen` (see {@link hasMemberAt}).
 */
export const SET_HORIZON_SECONDS = 90 * 86_400;

/**
 * The longest any feature looks back from its transaction's time, in seconds: the set horizon,
 * `user_seconds_since_last`'s cut-off, and every tier's span (bucket width × ring length; the
 * daily tier's is 38 days). Nothing of an entity's past is visible to a transaction this long after
 * it (see {@link forgottenFrom}): what lets a store evict an idle profile without changing a feature.
 */
export const PROFILE_HORIZON_SECONDS = Math.max(SET_HORIZON_SECONDS, ...TIERS.map((t) => t.bucketSeconds * t.length));

/**
 * Layout of {@link ProfileState.data}: first one `top` per tier (the largest bucket id ever
 * incremented; -Infinity when none), then for each tier in order a ring of `length` slots stored as
 * three consecutive arrays of `length` doubles (the `n`, `s` and `f` counters). Bucket ids are not
 * stored: slot `id mod length` holds bucket `id` for every id visible now (`top - length < id <=
 * top`), all zeros when nothing was added to it; raising `top` zeroes the slots of the ids it brings
 * into view (see {@link addToTier}). One flat array keeps a profile in a few cache lines' reach,
 * which is what the replay and the hot path are bound by: 29 lines, where ids stored per slot made
 * 39.
 */
export const TOP_OFFSET = 0;

/** Index of tier `i`'s ring (its `n` array) in {@link ProfileState.data}. */
export const RING_OFFSET: readonly number[] = TIERS.map((_, i) => TIERS.length + TIERS.slice(0, i).reduce((sum, t) => sum + 3 * t.length, 0));

/** Length of {@link ProfileState.data}. */
export const PROFILE_DATA_LENGTH = TIERS.length + TIERS.reduce((sum, t) => sum + 3 * t.length, 0);

/** Offset (in units of the tier length) of each counter inside a ring. */
export const FIELD_OFFSET: Readonly<Record<CounterField, number>> = { n: 0, s: 1, f: 2 };

export interface ProfileState {
  /** Largest transaction time applied, epoch seconds; -Infinity when none. */
  lastSeen: number;
  /** Lifetime number of transactions applied. */
  total: number;
  /** Every tier's top and ring; see {@link TOP_OFFSET}. */
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
  data.fill(Number.NEGATIVE_INFINITY, TOP_OFFSET, TOP_OFFSET + TIERS.length);
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
 * Raises tier `tierIndex`'s top from `top` to `id` (> top), zeroing the slots of the ids that come
 * into view: they last held ids that fall out of view now (or nothing).
 */
function raiseTop(d: Float64Array, tierIndex: number, top: number, id: number, length: number): void {
  const ring = RING_OFFSET[tierIndex] as number;
  // From -Infinity (a tier never used) every slot is still zero.
  if (top !== Number.NEGATIVE_INFINITY) {
    for (let k = Math.max(top + 1, id - length + 1); k <= id; k++) {
      const slot = ring + slotOf(k, length);
      d[slot] = 0;
      d[slot + length] = 0;
      d[slot + 2 * length] = 0;
    }
  }
  d[TOP_OFFSET + tierIndex] = id;
}

/**
 * Adds `by` to counter `field` of bucket `id` of tier `tierIndex`. The merge rule of the module
 * comment: ids at or below `top - length` are dropped (invisible now and forever, since `top`
 * never decreases); an id above `top` raises it first.
 */
export function addToTier(state: ProfileState, tierIndex: number, id: number, field: CounterField, by: number): void {
  const length = (TIERS[tierIndex] as TierSpec).length;
  const d = state.data;
  const top = d[TOP_OFFSET + tierIndex] as number;
  if (id <= top - length) return;
  if (id > top) raiseTop(d, tierIndex, top, id, length);
  const at = (RING_OFFSET[tierIndex] as number) + slotOf(id, length) + FIELD_OFFSET[field] * length;
  d[at] = (d[at] as number) + by;
}

/**
 * Raises tier `tierIndex`'s top to `top` when it is higher (a store's decoder restores a stored
 * top this way before the stored buckets, see `restoreBucket` in profile-buckets.ts).
 */
export function raiseTierTop(state: ProfileState, tierIndex: number, top: number): void {
  const length = (TIERS[tierIndex] as TierSpec).length;
  const current = state.data[TOP_OFFSET + tierIndex] as number;
  if (top > current) raiseTop(state.data, tierIndex, current, top, length);
}

/**
 * Exactly `addToTier(state, tierIndex, id, 'n', 1)` then `addToTier(state, tierIndex, id, 's',
 * amount)` (one transaction's counters), with one look-up of the slot.
 */
export function addTransactionToTier(state: ProfileState, tierIndex: number, id: number, amount: number): void {
  const length = (TIERS[tierIndex] as TierSpec).length;
  const d = state.data;
  const top = d[TOP_OFFSET + tierIndex] as number;
  if (id <= top - length) return;
  if (id > top) raiseTop(d, tierIndex, top, id, length);
  const slot = (RING_OFFSET[tierIndex] as number) + slotOf(id, length);
  d[slot] = (d[slot] as number) + 1;
  d[slot + length] = (d[slot + length] as number) + amount;
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
    addToTier(state, c.tier, c.bucket, c.field, c.by);
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

/**
 * True when `key` is a stored member of `set`: seen within the horizon before `lastSeen` (what
 * stores and snapshots keep; older members are garbage).
 */
export function hasMember(state: ProfileState, set: SetName, key: string): boolean {
  const at = state.sets[set].get(key);
  return at !== undefined && at > state.lastSeen - SET_HORIZON_SECONDS;
}

/**
 * True when a transaction at `t` (epoch seconds) sees `key` in `set`: seen within the horizon
 * before the later of `t` and `lastSeen`. The horizon runs from the transaction's own time, so an
 * entity idle past it sees no member (as a new one); from `lastSeen` too, so a transaction older
 * than the latest one never sees a member a store may have dropped already (see {@link hasMember}).
 */
export function hasMemberAt(state: ProfileState, set: SetName, key: string, t: number): boolean {
  const at = state.sets[set].get(key);
  return at !== undefined && at > (t > state.lastSeen ? t : state.lastSeen) - SET_HORIZON_SECONDS;
}

/**
 * The earliest event time (epoch seconds) from which no feature sees anything of `state`: a
 * transaction at that time or later gets exactly the features it would get on an empty profile,
 * and if both then receive the same changes, so does every transaction at that time or later.
 * -Infinity for an empty profile. The latest of: `lastSeen` and every member's time plus
 * {@link PROFILE_HORIZON_SECONDS}; for each tier, `(top + length) × bucketSeconds`, from which a
 * transaction's bucket is `length` or more past `top`, beyond every window. Reads every member:
 * O(profile), for eviction sweeps, not for the hot path.
 */
export function forgottenFrom(state: ProfileState): number {
  let from = state.lastSeen + PROFILE_HORIZON_SECONDS;
  for (let i = 0; i < TIERS.length; i++) {
    const tier = TIERS[i] as TierSpec;
    const end = ((state.data[TOP_OFFSET + i] as number) + tier.length) * tier.bucketSeconds;
    if (end > from) from = end;
  }
  for (const name of SET_NAMES) for (const at of state.sets[name].values()) if (at + PROFILE_HORIZON_SECONDS > from) from = at + PROFILE_HORIZON_SECONDS;
  return from;
}
