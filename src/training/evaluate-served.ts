import type { OnnxModel } from '../model/onnx-model';
import type { Dataset } from './dataset/load-dataset';
import { evaluateScores, type Evaluation } from './metrics';
import { gatherRows, isoDay, labelsKnownAt, trueLabels, type TimeSplit, type TimeWindow } from './protocol/time-split';
import { selectThresholds, type ThresholdSelection, type ThresholdTargets } from './thresholds';

/** What a served model scores on a split's windows, and the thresholds chosen from it. */
export interface ServedEvaluation {
  /** The test window against the true labels (the handbook's figures). */
  readonly test: Evaluation;
  /** The validation window against the labels known at the split's cutoff. */
  readonly validation: Evaluation;
  /** Challenge and decline thresholds chosen on the validation window for `targets`. */
  readonly thresholds: ThresholdSelection;
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
  return { test, validation, thresholds: selectThresholds(validScores, validLabels, targets) };
}
