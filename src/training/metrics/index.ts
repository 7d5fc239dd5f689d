export { assertBinaryScores, type Labels, type Scores } from './binary-scores';
export { thresholdCounts, type ThresholdCounts } from './threshold-counts';
export { aucRoc, aucRocFromCounts } from './auc-roc';
export { averagePrecision, averagePrecisionFromCounts } from './average-precision';
export { recallAtFpr, recallAtFprFromCounts } from './recall-at-fpr';
export {
  cardPrecisionAtK,
  type CardIds,
  type CardPrecisionDay,
  type CardPrecisionInput,
  type CardPrecisionResult,
} from './card-precision-at-k';
export { prCurveFromCounts, rocCurveFromCounts, type PrCurve, type RocCurve } from './curves';
export {
  DEFAULT_CURVE_POINTS,
  downsampleIndices,
  prPoints,
  rocPoints,
  type PrPoint,
  type RocPoint,
} from './downsample-curve';
export { DEFAULT_HISTOGRAM_BINS, scoreHistogram, type ScoreHistogram } from './score-histogram';
export { METRIC_NAMES, type MetricSet } from './metric-set';
export { summarizeFolds, type FoldSummary } from './fold-summary';
export { evaluateScores, type Evaluation, type EvaluationOptions } from './evaluate-scores';
export { calibration, DEFAULT_CALIBRATION_BINS, type Calibration, type CalibrationBin } from './calibration';
export { declineQuality, flaggedQuality, tallyDecisions, type Cutoffs, type DecisionTally, type PrecisionRecall, type SegmentTally } from './decision-tally';
