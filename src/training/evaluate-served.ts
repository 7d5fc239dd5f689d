import { FEATURE_NAMES } from '../../features';
import { buildDriftReference } from '../model/drift/build-reference';
import type { DriftReference } from '../model/drift/drift-reference';
import type { OnnxModel } from '../model/onnx-model';
import type { ModelMetadata } from '../model/registry/model-metadata';
import type { Dataset } from './dataset/load-dataset';
import { evaluateScores, type Evaluation } from './metrics';
import { gatherRows, isoDay, labelsKnownAt, trueLabels, type TimeSplit, type TimeWindow } from './protocol/time-split';
import { testBreakdown, type RowScenarios, type TestBreakdown } from './test-breakdown';
import { selectThresholds, type ThresholdSelection, type ThresholdTargets } from './thresholds';

/** What a served model scores on a split's windows, and the thresholds chosen from it. */
export interface ServedEvaluation {
  /** The test window against the true labels (the handbook's figures). */
  readonly test: Evaluation;
  /** The validation window against the labels known at the split's cutoff. */
  readonly validation: Evaluation;
  /** Challenge and decline thresholds chosen on the validation window for `targets`. */
  readonly thresholds: ThresholdSelection;
  /** The served scores of the split's test and validation rows, in row order. */
  readonly scores: { readonly test: Float32Array; readonly validation: Float32Array };
}

/** A window as model.json writes it: first and last day, inclusive. */
export function windowDays(w: TimeWindow): { from: string; to: string } {
  return { from: isoDay(w.from), to: isoDay(w.to - 1) };
}

/** Days since the epoch of each row (the Card Precision grouping). */
export function rowDays(dataset: Dataset, rows: Uint32Array): Float64Array {
  return Float64Array.from(rows, (r) => Math.floor((dataset.sidecar.columns.timestamp[r] as number) / 86_400));
}

/**
 * Scores the split's test and validation rows through `model` (onnxruntime: the figures are the
 * served artifact's), evaluates both and chooses thresholds on validation. Does not close `model`.
 */
export async function evaluateServed(model: OnnxModel, dataset: Dataset, split: TimeSplit, targets: ThresholdTargets): Promise<ServedEvaluation> {
  const cols = dataset.sidecar.featureNames.length;
  const testScores = await model.scoreBatch(gatherRows(dataset.matrix, cols, split.testRows), split.testRows.length);
  const validScores = await model.scoreBatch(gatherRows(dataset.matrix, cols, split.validationRows), split.validationRows.length);
  const userIds = dataset.sidecar.columns.userId;
  const cards = (rows: Uint32Array) => Array.from(rows, (r) => userIds[r] as string);
  const test = evaluateScores({ scores: testScores, labels: trueLabels(dataset.sidecar, split.testRows), cardIds: cards(split.testRows), days: rowDays(dataset, split.testRows) });
  const validLabels = Uint8Array.from(labelsKnownAt(dataset.sidecar, split.validationRows, split.labelCutoff));
  const validation = evaluateScores({ scores: validScores, labels: validLabels, cardIds: cards(split.validationRows), days: rowDays(dataset, split.validationRows) });
  return { test, validation, thresholds: selectThresholds(validScores, validLabels, targets), scores: { test: testScores, validation: validScores } };
}

/**
 * The drift reference of a model evaluated on a dataset split: the features of the training
 * window's rows (float32 as served) and the model's scores on the validation window, which it
 * was not fitted on (early stopping looked at it, its trees did not learn from it): the score
 * distribution to expect from traffic it has not seen.
 */
export function datasetDriftReference(dataset: Dataset, split: TimeSplit, evaluation: ServedEvaluation): DriftReference {
  const cols = dataset.sidecar.featureNames.length;
  return buildDriftReference({ featureNames: FEATURE_NAMES, vectors: gatherRows(dataset.matrix, cols, split.trainRows), scores: evaluation.scores.validation });
}

/** The simulator's scenario of `rows`, when the dataset carries it (built with the stream's scenario file). */
export function rowScenarios(dataset: Dataset, rows: Uint32Array): RowScenarios | { readonly missing: string } {
  const { scenarios } = dataset.sidecar;
  const column = dataset.sidecar.columns.scenario;
  if (scenarios === undefined || column === undefined) return { missing: 'the dataset carries no fraud scenarios (build-dataset was given no scenario file, e.g. a stream not written by fraudctl simulate)' };
  return { ids: Uint8Array.from(rows, (r) => column[r] as number), names: scenarios };
}

/** Calibration, confusion and per-segment quality of the split's test rows at the chosen thresholds. */
export function datasetTestBreakdown(dataset: Dataset, split: TimeSplit, evaluation: ServedEvaluation): TestBreakdown {
  const cols = dataset.sidecar.featureNames.length;
  return testBreakdown({
    scores: evaluation.scores.test,
    labels: trueLabels(dataset.sidecar, split.testRows),
    thresholds: evaluation.thresholds.thresholds,
    vectors: gatherRows(dataset.matrix, cols, split.testRows),
    scenarios: rowScenarios(dataset, split.testRows),
  });
}

/** A drift reference as model.json's `drift` (the schema's type has mutable arrays; the values are the same). */
export function metadataDrift(d: DriftReference): NonNullable<ModelMetadata['drift']> {
  return d as NonNullable<ModelMetadata['drift']>;
}
