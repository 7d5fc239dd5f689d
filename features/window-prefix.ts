import { isWindow, PLAN } from './feature-plan';
import { RING_OFFSET, slotOf, TIERS, TOP_OFFSET, type ProfileState, type TierSpec } from './profile-state';

/**
 * Prefix sums of one entity's tier by bucket *age* (current bucket id minus bucket id), for ages
 * `[0, ages)`: `x[a]` is the sum of counter x over the visible buckets of age < a, so a window
 * `{ buckets: k, delay: o }` is `x[o + k] - x[o]` (counters are integers: the differences are exact).
 * Only ages whose bucket can be visible, `[first, last)`, are computed; `x[a]` is 0 for a <= first
 * and `x[last]` for a >= last, so readers clamp instead of the arrays being filled.
 */
export interface AgePrefix {
  /** Ages covered: the largest window end any instruction reads (0 = unused). */
  readonly ages: number;
  first: number;
  last: number;
  readonly n: Float64Array;
  readonly s: Float64Array;
  readonly f: Float64Array;
}

/**
 * Scratch prefix tables, one per (entity, tier) at index `entity * TIERS.length + tier`, refilled by
 * every computeFeatures call. Module-level so the hot path allocates nothing; computeFeatures never
 * yields, so calls cannot interleave.
 */
export const PREFIX: readonly AgePrefix[] = [0, 1].flatMap((entity) =>
  TIERS.map((_, tierIndex) => {
    const ages = Math.max(0, ...PLAN.filter((i) => isWindow(i) && i.prefix === entity * TIERS.length + tierIndex).map((i) => i.hi));
    return { ages, first: 0, last: 0, n: new Float64Array(ages + 1), s: new Float64Array(ages + 1), f: new Float64Array(ages + 1) };
  }),
);

/** Fills `out` from tier `tierIndex` of `state` for a transaction at `epochSeconds`. */
export function fillPrefix(state: ProfileState, tierIndex: number, epochSeconds: number, out: AgePrefix): void {
  const tier = TIERS[tierIndex] as TierSpec;
  const length = tier.length;
  const d = state.data;
  const top = d[TOP_OFFSET + tierIndex] as number;
  const current = Math.floor(epochSeconds / tier.bucketSeconds);
  // Only ages whose bucket can be visible are read: ids in (top - length, min(top, current)].
  // Skipping the rest keeps the hot path off cold memory for quiet entities.
  const first = Math.min(out.ages, Math.max(0, current - top));
  const last = Math.max(first, Math.min(out.ages, current - (top - length)));
  out.first = first;
  out.last = last;
  const { n, s, f } = out;
  n[first] = 0;
  s[first] = 0;
  f[first] = 0;
  if (first === last) return;
  const base = RING_OFFSET[tierIndex] as number;
  let sn = 0;
  let ss = 0;
  let sf = 0;
  let id = current - first;
  let slot = slotOf(id, length);
  for (let a = first; a < last; a++, id--) {
    const at = base + slot;
    if (d[at] === id) {
      sn += d[at + length] as number;
      ss += d[at + 2 * length] as number;
      sf += d[at + 3 * length] as number;
    }
    n[a + 1] = sn;
    s[a + 1] = ss;
    f[a + 1] = sf;
    slot = slot === 0 ? length - 1 : slot - 1;
  }
}

/** Age of the most recent bucket in ages `[lo, hi)` whose known-fraud counter is positive; NaN when none. */
export function latestFraudAge(p: AgePrefix, lo: number, hi: number): number {
  const to = Math.min(hi, p.last);
  for (let a = Math.max(lo, p.first); a < to; a++) if ((p.f[a + 1] as number) > (p.f[a] as number)) return a;
  return Number.NaN;
}

/** Age of the oldest bucket in ages `[lo, hi)` whose known-fraud counter is positive; NaN when none. */
export function earliestFraudAge(p: AgePrefix, lo: number, hi: number): number {
  const from = Math.max(lo, p.first);
  for (let a = Math.min(hi, p.last) - 1; a >= from; a--) if ((p.f[a + 1] as number) > (p.f[a] as number)) return a;
  return Number.NaN;
}
