import { COUNTER_FIELDS, SET_NAMES, TIERS, type ProfileDelta } from '../../features';

/** Every increment a delta makes to one bucket of one tier, summed per counter field. */
export interface BucketIncrement {
  /** Index into `TIERS`. */
  readonly tier: number;
  readonly bucket: number;
  readonly n: number;
  readonly s: number;
  readonly f: number;
}

function checkInteger(value: number, what: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`profile delta: ${what} must be a safe integer, got ${value}`);
}

/**
 * The counter increments of `delta` grouped by (tier, bucket), in order of first appearance.
 * Applying a group at once is the same merge as applying its increments one by one (they hit one
 * ring slot), which lets a networked store touch each bucket once.
 *
 * Also the gate every networked adapter passes a delta through before any I/O: stores keep numbers
 * as 64-bit integers (exact in a double below 2^53), so this throws a RangeError when a tier index
 * or set is unknown or a bucket id, counter amount, `seenAt`, `total` or member time is not a safe integer.
 */
export function groupIncrements(delta: ProfileDelta): BucketIncrement[] {
  const groups = new Map<string, { tier: number; bucket: number; n: number; s: number; f: number }>();
  for (const c of delta.counters) {
    if (TIERS[c.tier] === undefined) throw new RangeError(`profile delta: unknown tier index ${c.tier}`);
    if (!COUNTER_FIELDS.includes(c.field)) throw new RangeError(`profile delta: unknown counter field ${String(c.field)}`);
    checkInteger(c.bucket, 'bucket id');
    checkInteger(c.by, 'counter increment');
    const key = `${c.tier}:${c.bucket}`;
    let g = groups.get(key);
    if (g === undefined) {
      g = { tier: c.tier, bucket: c.bucket, n: 0, s: 0, f: 0 };
      groups.set(key, g);
    }
    g[c.field] += c.by;
  }
  if (delta.seenAt !== null) checkInteger(delta.seenAt, 'seenAt');
  checkInteger(delta.total, 'total');
  for (const m of delta.members) {
    if (!SET_NAMES.includes(m.set)) throw new RangeError(`profile delta: unknown set ${String(m.set)}`);
    checkInteger(m.at, `member time of ${m.set}/${m.key}`);
  }
  for (const g of groups.values()) for (const field of COUNTER_FIELDS) checkInteger(g[field], `summed ${field} increment of bucket ${g.bucket}`);
  return [...groups.values()];
}

/**
 * One delta with the effect of all of `deltas` (counters and members concatenated, the latest
 * `seenAt`, totals added): merges commute, so applying it once equals applying each. Lets a store
 * make one atomic write per entity and batch instead of several racing ones.
 */
export function combineDeltas(deltas: readonly ProfileDelta[]): ProfileDelta {
  if (deltas.length === 1) return deltas[0] as ProfileDelta;
  let seenAt: number | null = null;
  for (const d of deltas) if (d.seenAt !== null && (seenAt === null || d.seenAt > seenAt)) seenAt = d.seenAt;
  return {
    counters: deltas.flatMap((d) => d.counters),
    seenAt,
    total: deltas.reduce((sum, d) => sum + d.total, 0),
    members: deltas.flatMap((d) => d.members),
  };
}
