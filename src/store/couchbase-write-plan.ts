import {
  applyDelta,
  copyProfile,
  COUNTER_FIELDS,
  emptyProfile,
  SET_HORIZON_SECONDS,
  TIERS,
  tierTop,
  type ProfileDelta,
  type ProfileState,
  type TierSpec,
} from '../../features';
import { encodeProfileDocument, subdocPath, type ProfileDocument } from './couchbase-profile-document';
import { groupIncrements } from './profile-codec';

/** Most operations one sub-document request may carry (a server limit). */
export const MAX_SUBDOC_SPECS = 16;

/** One sub-document counter increment (`by` is never 0: the server rejects a zero delta). */
export interface PathIncrement {
  readonly path: string;
  readonly by: number;
}

/**
 * How to merge a delta into a document, decided from the document as read:
 * - `none`: the delta changes nothing visible (e.g. a label on a bucket already out of the window);
 * - `increment`: only counters of buckets inside the window and `tot` change, so one sub-document
 *   request of increments applies it without a CAS guard: increments commute with every concurrent
 *   write, and a window moving meanwhile only turns them into garbage the memory store would have
 *   dropped;
 * - `write`: a max register (a tier top, lastSeen, a member time) rises, so the whole document is
 *   rewritten from the read, guarded by its CAS (insert when there was no document). The rewrite
 *   also collects garbage.
 */
export type WritePlan =
  | { readonly kind: 'none' }
  | { readonly kind: 'increment'; readonly increments: readonly PathIncrement[] }
  | { readonly kind: 'write'; readonly document: ProfileDocument };

/** The increments of `delta` against `current`, or null when a register must rise. */
function incrementsOnly(current: ProfileState, delta: ProfileDelta): PathIncrement[] | null {
  if (delta.seenAt !== null && delta.seenAt > current.lastSeen) return null;
  const horizon = current.lastSeen - SET_HORIZON_SECONDS;
  for (const m of delta.members) {
    const at = current.sets[m.set].get(m.key);
    if (m.at > horizon && (at === undefined || m.at > at)) return null;
  }
  const increments: PathIncrement[] = [];
  for (const g of groupIncrements(delta)) {
    const tier = TIERS[g.tier] as TierSpec;
    const top = tierTop(current, g.tier);
    if (g.bucket > top) return null;
    if (g.bucket <= top - tier.length) continue; // invisible now and forever: dropped
    for (const field of COUNTER_FIELDS) if (g[field] !== 0) increments.push({ path: subdocPath('c', tier.name, String(g.bucket), field), by: g[field] });
  }
  if (delta.total !== 0) increments.push({ path: 'tot', by: delta.total });
  return increments;
}

/**
 * The plan merging `delta` into the document read as `current` (decoded; null = no document).
 * Pure. The `write` document equals `applyDelta` on a copy of `current`, so the result matches the
 * memory store exactly. Throws a RangeError when the delta is not integral (see `groupIncrements`).
 */
export function planProfileWrite(current: ProfileState | null, delta: ProfileDelta): WritePlan {
  const increments = current === null ? null : incrementsOnly(current, delta);
  if (increments !== null && increments.length <= MAX_SUBDOC_SPECS) {
    return increments.length === 0 ? { kind: 'none' } : { kind: 'increment', increments };
  }
  groupIncrements(delta); // validates before the merge, whichever path is taken
  const next = current === null ? emptyProfile() : copyProfile(current);
  applyDelta(next, delta);
  return { kind: 'write', document: encodeProfileDocument(next) };
}
