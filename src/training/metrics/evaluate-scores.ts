import { aucRocFromCounts } from './auc-roc';
import { averagePrecisionFromCounts } from './average-precision';
import { cardPrecisionAtK, type CardPrecisionInput, type CardPrecisionResult } from './card-precision-at-k';
import { prCurveFromCounts, rocCurveFromCounts } from './curves';
import { DEFAULT_CURVE_POINTS, prPoints, rocPoints, type PrPoint, type RocPoint } from './downsample-curve';
import type { MetricSet } from './metric-set';
import { recallAtFprFromCounts } from './recall-at-fpr';
import { DEFAULT_HISTOGRAM_BINS, scoreHistogram, type ScoreHistogram } from './score-histogram';
import { thresholdCounts } from './threshold-counts';

/** Everything the report needs from one scored, labelled set (e.g. the test weeks). */
export interface Evaluation {
  readonly metrics: MetricSet;
  readonly cardPrecision: CardPrecisionResult;
  /** Number of transactions. */
  readonly rows: number;
  /** Number of fraudulent transactions. */
  readonly frauds: number;
  /** ROC curve thinned for plotting; empty when a class is absent. */
  readonly roc: readonly RocPoint[];
  /** PR curve thinned for plotting; empty when there is no fraud. */
  readonly pr: readonly PrPoint[];
  readonly histogram: ScoreHistogram;
}

/** Plot resolution; the metrics themselves are always exact. */
export interface EvaluationOptions {
  readonly maxCurvePoints?: number;
  readonly histogramBins?: number;
}

/**
 * Computes AUC ROC, AP, Card Precision@100 and recall at 1% FPR, the plotted curves and the
 * per-class score histogram, sorting the scores once. Scores must be probabilities in [0, 1].
 * Throws RangeError on malformed input (see {@link cardPrecisionAtK} and {@link scoreHistogram}).
 */
export function evaluateScores(input: CardPrecisionInput, options: EvaluationOptions = {}): Evaluation {
  const counts = thresholdCounts(input.scores, input.labels);
  const cardPrecision = cardPrecisionAtK(input, 100);
  const maxPoints = options.maxCurvePoints ?? DEFAULT_CURVE_POINTS;
  return {
    metrics: {
      auc: aucRocFromCounts(counts),
      ap: averagePrecisionFromCounts(counts),
      cpAt100: cardPrecision.mean,
      recallAt1pctFpr: recallAtFprFromCounts(counts, 0.01),
    },
    cardPrecision,
    rows: input.scores.length,
    frauds: counts.positives,
    roc: rocPoints(rocCurveFromCounts(counts), maxPoints),
    pr: prPoints(prCurveFromCounts(counts), maxPoints),
    histogram: scoreHistogram(input.scores, input.labels, options.histogramBins ?? DEFAULT_HISTOGRAM_BINS),
  };
}
