import { FEATURE_NAMES, topReasons, type Reason } from '../../features';
import type { DecisionRecord } from './decision-record';

/** Reasons named in an answer (and codes in a decision event), at most. */
export const REASON_LIMIT = 3;

/**
 * The reasons of `r` given its contributions (recorded, or computed when read): the largest
 * contributions towards fraud, one per code (see features/reasons.ts). A missing value means
 * nothing when a profile was not read (the answer was degraded), so it is never a reason then.
 */
export function reasonsOf(r: DecisionRecord, contributions: ArrayLike<number>): Reason[] {
  const profilesRead = r.userReadVersion !== null && r.merchantReadVersion !== null;
  return topReasons(FEATURE_NAMES, r.features, contributions, REASON_LIMIT, profilesRead);
}

/** The reason codes a record's answer named: empty for a record without contributions (an approval). */
export function reasonCodesOf(r: DecisionRecord): string[] {
  return r.contributions === null ? [] : reasonsOf(r, r.contributions).map((x) => x.code);
}
