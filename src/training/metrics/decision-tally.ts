import { assertBinaryScores, type Labels, type Scores } from './binary-scores';

/** Score cut-offs (score ≥ decline → decline; challenge ≤ score < decline → challenge; else approve). */
export interface Cutoffs {
  readonly challenge: number;
  readonly decline: number;
}

/** Rows of one group by outcome and class, at given thresholds. */
export interface DecisionTally {
  readonly rows: number;
  readonly frauds: number;
  /** Rows approved, challenged and declined, and the fraud among each. */
  readonly approved: number;
  readonly approvedFrauds: number;
  readonly challenged: number;
  readonly challengedFrauds: number;
  readonly declined: number;
  readonly declinedFrauds: number;
}

/** A group's tally under its name, e.g. a channel or an amount band. */
export interface SegmentTally extends DecisionTally {
  readonly segment: string;
}

const EMPTY: DecisionTally = { rows: 0, frauds: 0, approved: 0, approvedFrauds: 0, challenged: 0, challengedFrauds: 0, declined: 0, declinedFrauds: 0 };

/**
 * Tallies rows by the segment `segmentOf(row)` names (plus the whole set under `total`), at the
 * thresholds. Segments come out in `order`, then any others in first-seen order; a segment of
 * `order` that no row falls in is listed with zero rows. Throws RangeError when challenge >
 * decline, or as {@link assertBinaryScores} does.
 */
export function tallyDecisions(
  scores: Scores,
  labels: Labels,
  cutoffs: Cutoffs,
  segmentOf: (row: number) => string = () => 'all',
  order: readonly string[] = [],
): { readonly total: DecisionTally; readonly segments: readonly SegmentTally[] } {
  if (!(cutoffs.challenge <= cutoffs.decline)) throw new RangeError(`challenge (${cutoffs.challenge}) must not exceed decline (${cutoffs.decline})`);
  assertBinaryScores(scores, labels);
  const bySegment = new Map<string, { -readonly [K in keyof DecisionTally]: number }>(order.map((s) => [s, { ...EMPTY }]));
  const total = { ...EMPTY };
  for (let i = 0; i < scores.length; i++) {
    const key = segmentOf(i);
    let t = bySegment.get(key);
    if (t === undefined) {
      t = { ...EMPTY };
      bySegment.set(key, t);
    }
    const s = scores[i] as number;
    const y = labels[i] as number;
    for (const x of [t, total]) {
      x.rows++;
      x.frauds += y;
      if (s >= cutoffs.decline) {
        x.declined++;
        x.declinedFrauds += y;
      } else if (s >= cutoffs.challenge) {
        x.challenged++;
        x.challengedFrauds += y;
      } else {
        x.approved++;
        x.approvedFrauds += y;
      }
    }
  }
  return { total, segments: [...bySegment].map(([segment, t]) => ({ segment, ...t })) };
}

/** Precision and recall of an alert; null where undefined (nothing alerted, or no fraud). */
export interface PrecisionRecall {
  readonly precision: number | null;
  readonly recall: number | null;
}

/** Of "challenge or decline" (flagged): fraud share among flagged rows, share of fraud flagged. */
export function flaggedQuality(t: DecisionTally): PrecisionRecall {
  const flagged = t.challenged + t.declined;
  const caught = t.challengedFrauds + t.declinedFrauds;
  return { precision: flagged === 0 ? null : caught / flagged, recall: t.frauds === 0 ? null : caught / t.frauds };
}

/** Of "decline": fraud share among declined rows, share of fraud declined. */
export function declineQuality(t: DecisionTally): PrecisionRecall {
  return { precision: t.declined === 0 ? null : t.declinedFrauds / t.declined, recall: t.frauds === 0 ? null : t.declinedFrauds / t.frauds };
}
