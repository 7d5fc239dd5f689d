import { NEVER } from '../model/registry/model-metadata';
import { assertBinaryScores, thresholdCounts, type Labels, type Scores } from './metrics';

/** What the operator asks of the decision thresholds. Both are fractions in [0, 1]. */
export interface ThresholdTargets {
  /** Most transactions that may be challenged or declined together, e.g. 0.02 = 2%. */
  readonly maxChallengeRate: number;
  /** Least share of fraud among declined transactions, e.g. 0.9. */
  readonly minDeclinePrecision: number;
}

/**
 * Score cut-offs: score ≥ decline → decline; challenge ≤ score < decline → challenge; else approve.
 * Always challenge ≤ decline. A value of {@link NEVER} disables that outcome.
 */
export interface DecisionThresholds {
  readonly challenge: number;
  readonly decline: number;
}

export { NEVER } from '../model/registry/model-metadata';

/**
 * What thresholds do on a labelled set. Rates are fractions of all rows; precision and recall are
 * fractions in [0, 1], or null when undefined (nothing in that outcome, or no fraud at all).
 */
export interface ThresholdRates {
  readonly rows: number;
  readonly frauds: number;
  readonly approveRate: number;
  readonly challengeRate: number;
  readonly declineRate: number;
  /** challengeRate + declineRate: the share held up in any way (the budget). */
  readonly flaggedRate: number;
  /** Fraud share among challenged (not declined) rows. */
  readonly challengePrecision: number | null;
  readonly declinePrecision: number | null;
  /** Share of all fraud that is declined. */
  readonly declineRecall: number | null;
  /** Fraud share among challenged or declined rows. */
  readonly flaggedPrecision: number | null;
  /** Share of all fraud that is challenged or declined. */
  readonly flaggedRecall: number | null;
}

/** The chosen thresholds, the targets they answer, and their effect on the validation set. */
export interface ThresholdSelection {
  readonly thresholds: DecisionThresholds;
  readonly targets: ThresholdTargets;
  readonly validation: ThresholdRates;
}

/**
 * Chooses decision thresholds on validation scores (probabilities in [0, 1]) and labels.
 * Candidates are the distinct validation scores, each read as "score ≥ t".
 *
 * - decline = the lowest candidate whose precision (fraud share among score ≥ t) is
 *   ≥ minDeclinePrecision and whose volume (share of rows with score ≥ t) is ≤ maxChallengeRate;
 *   {@link NEVER} when none qualifies.
 * - challenge = the lowest candidate whose volume is ≤ maxChallengeRate ({@link NEVER} when even
 *   the top score's rows exceed the budget). Volume only grows as t falls, so challenge ≤ decline,
 *   and the challenged and declined rows together stay within the budget.
 *
 * Throws RangeError when a target lies outside [0, 1], there are no rows, a score lies outside
 * [0, 1] or is NaN, a label is not 0/1, or the lengths differ.
 */
export function selectThresholds(scores: Scores, labels: Labels, targets: ThresholdTargets): ThresholdSelection {
  assertFraction('maxChallengeRate', targets.maxChallengeRate);
  assertFraction('minDeclinePrecision', targets.minDeclinePrecision);
  assertProbabilities(scores, labels);
  if (scores.length === 0) throw new RangeError('cannot choose thresholds from an empty validation set');
  const n = scores.length;
  const { thresholds, truePositives: tp, falsePositives: fp } = thresholdCounts(scores, labels);

  let challenge = NEVER;
  let decline = NEVER;
  for (let k = 0; k < thresholds.length; k += 1) {
    const flagged = (tp[k] as number) + (fp[k] as number);
    if (flagged / n > targets.maxChallengeRate) break;
    const t = thresholds[k] as number;
    challenge = t;
    if ((tp[k] as number) / flagged >= targets.minDeclinePrecision) decline = t;
  }
  const chosen = { challenge, decline };
  return { thresholds: chosen, targets: { ...targets }, validation: ratesAtThresholds(scores, labels, chosen) };
}

/**
 * Outcome rates of `thresholds` on scores and labels (see {@link ThresholdRates}); works for any
 * labelled set, e.g. the test weeks. Throws RangeError when challenge > decline, or as
 * {@link assertBinaryScores} does.
 */
export function ratesAtThresholds(scores: Scores, labels: Labels, thresholds: DecisionThresholds): ThresholdRates {
  const { challenge, decline } = thresholds;
  if (!(challenge <= decline)) throw new RangeError(`challenge (${challenge}) must not exceed decline (${decline})`);
  assertBinaryScores(scores, labels);
  const rows = scores.length;
  let frauds = 0;
  let challenged = 0;
  let challengedFraud = 0;
  let declined = 0;
  let declinedFraud = 0;
  for (let i = 0; i < rows; i += 1) {
    const s = scores[i] as number;
    const y = labels[i] as number;
    frauds += y;
    if (s >= decline) {
      declined += 1;
      declinedFraud += y;
    } else if (s >= challenge) {
      challenged += 1;
      challengedFraud += y;
    }
  }
  const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
  const share = (a: number): number => (rows === 0 ? 0 : a / rows);
  return {
    rows,
    frauds,
    approveRate: share(rows - challenged - declined),
    challengeRate: share(challenged),
    declineRate: share(declined),
    flaggedRate: share(challenged + declined),
    challengePrecision: ratio(challengedFraud, challenged),
    declinePrecision: ratio(declinedFraud, declined),
    declineRecall: ratio(declinedFraud, frauds),
    flaggedPrecision: ratio(challengedFraud + declinedFraud, challenged + declined),
    flaggedRecall: ratio(challengedFraud + declinedFraud, frauds),
  };
}

function assertFraction(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be within [0, 1], got ${value}`);
}

function assertProbabilities(scores: Scores, labels: Labels): void {
  assertBinaryScores(scores, labels);
  for (let i = 0; i < scores.length; i += 1) {
    const s = scores[i] as number;
    if (!(s >= 0 && s <= 1)) throw new RangeError(`score at row ${i} is ${s}, outside [0, 1]`);
  }
}
