// Reading a profile's buckets and restoring stored ones: what the stores' codecs, snapshot files
// and the reference window sum use. The merge itself is in profile-state.ts.
import {
  emptyProfile,
  FIELD_OFFSET,
  RING_OFFSET,
  SET_NAMES,
  slotOf,
  TIERS,
  tierTop,
  TOP_OFFSET,
  type CounterField,
  type ProfileState,
  type TierSpec,
} from './profile-state';

/**
 * Adds a stored bucket's counters to tier `tierIndex` when the bucket is visible under the tier's
 * current top (a store's decoder: restore the top with `raiseTierTop` first, then every
 * stored bucket). Returns false, changing nothing, for a bucket out of view (garbage).
 */
export function restoreBucket(state: ProfileState, tierIndex: number, id: number, n: number, s: number, f: number): boolean {
  const length = (TIERS[tierIndex] as TierSpec).length;
  const top = state.data[TOP_OFFSET + tierIndex] as number;
  if (!(id > top - length && id <= top)) return false;
  const slot = (RING_OFFSET[tierIndex] as number) + slotOf(id, length);
  const d = state.data;
  d[slot] = (d[slot] as number) + n;
  d[slot + length] = (d[slot + length] as number) + s;
  d[slot + 2 * length] = (d[slot + 2 * length] as number) + f;
  return true;
}

/**
 * The visible buckets of tier `tierIndex` with any counter not zero, newest first, as
 * `[id, n, s, f]` (what a store's encoder writes; an absent bucket reads as all zeros).
 */
export function visibleBuckets(state: ProfileState, tierIndex: number): [number, number, number, number][] {
  const length = (TIERS[tierIndex] as TierSpec).length;
  const d = state.data;
  const top = d[TOP_OFFSET + tierIndex] as number;
  const buckets: [number, number, number, number][] = [];
  if (top === Number.NEGATIVE_INFINITY) return buckets;
  const ring = RING_OFFSET[tierIndex] as number;
  for (let id = top; id > top - length; id--) {
    const slot = ring + slotOf(id, length);
    const n = d[slot] as number;
    const s = d[slot + length] as number;
    const f = d[slot + 2 * length] as number;
    if (n !== 0 || s !== 0 || f !== 0) buckets.push([id, n, s, f]);
  }
  return buckets;
}

/**
 * True when `state` holds nothing: no transaction seen, no tier ever incremented, no member, a
 * total of 0 (what an unknown entity, or one a store evicted, reads as).
 */
export function isEmptyProfile(state: ProfileState): boolean {
  if (state.lastSeen !== Number.NEGATIVE_INFINITY || state.total !== 0) return false;
  for (let i = 0; i < TIERS.length; i++) if (state.data[TOP_OFFSET + i] !== Number.NEGATIVE_INFINITY) return false;
  for (const name of SET_NAMES) if (state.sets[name].size > 0) return false;
  return true;
}

/** A deep copy of `state`, sharing nothing with it. */
export function copyProfile(state: ProfileState): ProfileState {
  const copy = emptyProfile();
  copy.data.set(state.data);
  copy.lastSeen = state.lastSeen;
  copy.total = state.total;
  for (const name of SET_NAMES) for (const [k, v] of state.sets[name]) copy.sets[name].set(k, v);
  return copy;
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
  const at = (RING_OFFSET[tierIndex] as number) + FIELD_OFFSET[field] * length;
  let sum = 0;
  for (let id = lo; id <= hi; id++) sum += state.data[at + slotOf(id, length)] as number;
  return sum;
}
