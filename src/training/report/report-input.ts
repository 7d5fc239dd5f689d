import type { FoldSummary, MetricSet, PrPoint, RocPoint, ScoreHistogram } from '../metrics';
import type { DriftReference } from '../../model/drift/drift-reference';
import type { TestBreakdown } from '../test-breakdown';
import type { ThresholdSelection } from '../thresholds';

/** A half-open time window [start, end), ISO 8601 strings (dates or date-times), shown verbatim. */
export interface DateWindow {
  readonly start: string;
  readonly end: string;
}

/** Where the model came from. Every string is shown escaped, never interpreted. */
export interface ReportLineage {
  readonly version: string;
  /** ISO 8601 date-time. */
  readonly createdAt: string;
  /** Version of the model this one was trained to replace; null for the first. */
  readonly parent: string | null;
  readonly featureSpecHash: string;
  readonly datasetHash: string;
  /** Trainer name, e.g. "xgboost 2.0.3 (C API)". */
  readonly trainer: string;
  readonly params: Readonly<Record<string, string | number | boolean>>;
}

/** The time-ordered split of the handbook's protocol. */
export interface SplitWindows {
  readonly train: DateWindow;
  readonly validation: DateWindow;
  readonly test: DateWindow;
  /** Gap between training and test windows (the handbook uses 7), in days. */
  readonly delayDays?: number;
}

/** Headline metrics: test always; validation and prequential folds when the pipeline has them. */
export interface ReportMetrics {
  readonly test: MetricSet;
  readonly validation?: MetricSet;
  readonly prequential?: FoldSummary;
}

/** The test set as plotted; structurally a subset of `Evaluation` from `../metrics`. */
export interface TestSetPlots {
  readonly rows: number;
  readonly frauds: number;
  readonly roc: readonly RocPoint[];
  readonly pr: readonly PrPoint[];
  readonly histogram: ScoreHistogram;
}

/** One feature's total gain in the trained trees (any positive unit; shown relative to the sum). */
export interface FeatureGain {
  readonly name: string;
  readonly gain: number;
}

/** Everything `renderReport` shows; the training pipeline fills it. */
export interface ReportInput {
  readonly model: ReportLineage;
  readonly windows: SplitWindows;
  readonly metrics: ReportMetrics;
  readonly testSet: TestSetPlots;
  readonly thresholds: ThresholdSelection;
  /** Any order; the report shows the top 20 by gain. */
  readonly featureImportance: readonly FeatureGain[];
  /** Calibration, the confusion at the thresholds, and per-scenario and per-segment quality on the test set. */
  readonly breakdown?: TestBreakdown;
  /** The drift reference written into model.json. */
  readonly drift?: DriftReference;
}
