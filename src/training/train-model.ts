import { FEATURE_NAMES } from '../../features';
import { featureSpecHash } from '../model/feature-spec-hash';
import { OnnxModel } from '../model/onnx-model';
import { exportServedModel, type ServedModel } from './served-model';
import type { ModelMetadata } from '../model/registry/model-metadata';
import type { Dataset } from './dataset/load-dataset';
import { evaluateScores, summarizeFolds, type Evaluation, type FoldSummary, type MetricSet } from './metrics';
import { gatherRows, isoDay, labelsKnownAt, prequentialOptions, timeSplit, trueLabels, type SplitOptions, type TimeSplit } from './protocol/time-split';
import { datasetDriftReference, datasetTestBreakdown, evaluateServed, metadataDrift, rowDays, windowDays, type ServedEvaluation } from './evaluate-served';
import { renderReport } from './report';
import type { ThresholdTargets } from './thresholds';
import { trainBinary, withDMatrix, type BinaryParams, type Booster, type XGBoost } from './xgboost';

export interface TrainModelOptions {
  readonly xgb: XGBoost;
  readonly dataset: Dataset;
  readonly datasetHash: string;
  readonly split: SplitOptions;
  readonly protocol: string;
  readonly params: BinaryParams;
  readonly rounds: number;
  readonly earlyStoppingRounds: number;
  readonly thresholdTargets: ThresholdTargets;
  /** Prequential folds to estimate (1 = only the main split; the handbook reports 4). */
  readonly prequentialFolds: number;
  readonly parent: string | null;
  readonly now: Date;
  readonly onStage?: (stage: string) => void;
}

export interface TrainedModel {
  readonly metadata: ModelMetadata;
  readonly onnx: Uint8Array;
  /** The registry files that serve it (model.onnx, explainer.json). */
  readonly files: Readonly<Record<string, Uint8Array | string>>;
  readonly reportHtml: string;
  readonly test: Evaluation;
  readonly prequential: FoldSummary | null;
  readonly split: TimeSplit;
}

interface FoldResult {
  readonly booster: Booster;
  readonly bestIteration: number;
  readonly params: ReadonlyArray<readonly [string, string]>;
}


function fit(opts: TrainModelOptions, split: TimeSplit): FoldResult {
  const { dataset, xgb } = opts;
  const cols = dataset.sidecar.featureNames.length;
  const train = { data: gatherRows(dataset.matrix, cols, split.trainRows), rows: split.trainRows.length, cols, labels: labelsKnownAt(dataset.sidecar, split.trainRows, split.labelCutoff) };
  const valid = { data: gatherRows(dataset.matrix, cols, split.validationRows), rows: split.validationRows.length, cols, labels: labelsKnownAt(dataset.sidecar, split.validationRows, split.labelCutoff) };
  return withDMatrix(xgb, train, (dtrain) =>
    withDMatrix(xgb, valid, (dvalid) => {
      const r = trainBinary(xgb, { train: dtrain, valid: dvalid, params: opts.params, rounds: opts.rounds, earlyStoppingRounds: opts.earlyStoppingRounds, evalMetric: 'aucpr' });
      return { booster: r.booster, bestIteration: r.bestIteration, params: r.params };
    }),
  );
}

function predict(opts: TrainModelOptions, booster: Booster, rows: Uint32Array): Float32Array {
  const cols = opts.dataset.sidecar.featureNames.length;
  return withDMatrix(opts.xgb, { data: gatherRows(opts.dataset.matrix, cols, rows), rows: rows.length, cols }, (d) => booster.predict(d));
}

function versionText(xgb: XGBoost): string {
  const v = xgb.version();
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** Version names sort by creation time: `YYYYMMDDTHHMMSSZ-<first 8 hex of the ONNX sha256>`. */
export function modelVersion(now: Date, sha256: string): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${sha256.slice(0, 8)}`;
}

/**
 * Trains a challenger with the given time split: XGBoost on the training window (labels known at
 * the cutoff), early stopping and thresholds on the validation window, exported to ONNX and
 * evaluated *through onnxruntime* on the test window, so the reported numbers are those of the
 * served artifact. model.json gets its drift reference (see datasetDriftReference), the report its
 * per-segment breakdown. Optionally repeats the protocol on earlier folds (prequential estimate).
 * Throws on an empty window or an XGBoost failure; every native handle is freed.
 */
export async function trainModel(opts: TrainModelOptions): Promise<TrainedModel> {
  const { dataset } = opts;
  const specHash = featureSpecHash();
  if (dataset.sidecar.specHash !== specHash) throw new Error(`dataset was built with feature spec ${dataset.sidecar.specHash}, the running features/ are ${specHash}: rebuild it`);
  const cols = dataset.sidecar.featureNames.length;
  const split = timeSplit(dataset.sidecar, opts.split);
  opts.onStage?.('train');
  const started = process.hrtime.bigint();
  const main = fit(opts, split);
  let served: ServedModel;
  let importance: ReadonlyMap<string, number>;
  try {
    served = exportServedModel(main.booster.saveJson(), cols, specHash);
    importance = main.booster.featureScore('total_gain');
  } finally {
    main.booster.free();
  }
  const trainSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { onnx, manifest } = served;
  const sha256 = manifest.sha256;
  const version = modelVersion(opts.now, sha256);

  opts.onStage?.('evaluate');
  const draft: ModelMetadata = {
    version,
    createdAt: opts.now.toISOString(),
    parent: opts.parent,
    featureSpecHash: specHash,
    featureNames: [...FEATURE_NAMES],
    ...manifest,
    thresholds: { challenge: 1, decline: 1 },
    status: 'candidate',
  };
  const model = await OnnxModel.fromBytes(onnx, draft, { expectedSpecHash: specHash, threads: 2 }, Buffer.from(served.explainer));
  let evaluation: ServedEvaluation;
  try {
    evaluation = await evaluateServed(model, dataset, split, opts.thresholdTargets);
  } finally {
    await model.close();
  }
  const { test, validation, thresholds } = evaluation;
  const drift = datasetDriftReference(dataset, split, evaluation);
  const breakdown = datasetTestBreakdown(dataset, split, evaluation);
  const userIds = dataset.sidecar.columns.userId;

  let prequential: FoldSummary | null = null;
  if (opts.prequentialFolds > 1) {
    const folds: MetricSet[] = [test.metrics];
    for (const [i, foldSplit] of prequentialOptions(opts.split, opts.prequentialFolds).slice(1).entries()) {
      opts.onStage?.(`prequential fold ${i + 2}/${opts.prequentialFolds}`);
      const s = timeSplit(dataset.sidecar, foldSplit);
      const fold = fit(opts, s);
      try {
        const scores = predict(opts, fold.booster, s.testRows);
        folds.push(evaluateScores({ scores, labels: trueLabels(dataset.sidecar, s.testRows), cardIds: Array.from(s.testRows, (r) => userIds[r] as string), days: rowDays(dataset, s.testRows) }).metrics);
      } finally {
        fold.booster.free();
      }
    }
    prequential = summarizeFolds(folds);
  }

  const metadata: ModelMetadata = {
    ...draft,
    thresholds: { ...thresholds.thresholds, targets: { ...thresholds.targets }, validation: { ...thresholds.validation } },
    trainer: {
      name: 'xgboost',
      version: versionText(opts.xgb),
      params: { ...Object.fromEntries(main.params), rounds: opts.rounds, earlyStoppingRounds: opts.earlyStoppingRounds },
      bestIteration: main.bestIteration,
      seconds: Math.round(trainSeconds * 100) / 100,
    },
    windows: { train: windowDays(split.train), validation: windowDays(split.validation), delay: windowDays(split.delay), test: windowDays(split.test) },
    datasetHash: opts.datasetHash,
    protocol: opts.protocol,
    metrics: {
      test: { ...test.metrics, rows: test.rows, frauds: test.frauds },
      validation: { ...validation.metrics, rows: validation.rows, frauds: validation.frauds },
      ...(prequential === null ? {} : { prequential: { folds: prequential.folds, mean: prequential.mean, std: prequential.std } }),
    },
    notes: { removedKnownCompromisedTestRows: split.removedKnownCompromised, trainRows: split.trainRows.length, labelCutoff: new Date(split.labelCutoff * 1000).toISOString() },
    drift: metadataDrift(drift),
  };
  const gains = [...importance].map(([key, gain]) => ({ name: FEATURE_NAMES[Number(key.replace(/^f/, ''))] ?? key, gain }));
  const reportHtml = renderReport({
    model: {
      version,
      createdAt: metadata.createdAt,
      parent: opts.parent,
      featureSpecHash: specHash,
      datasetHash: opts.datasetHash,
      trainer: `xgboost ${versionText(opts.xgb)} (C API via koffi)`,
      params: Object.fromEntries(main.params),
    },
    windows: {
      train: { start: isoDay(split.train.from), end: isoDay(split.train.to) },
      validation: { start: isoDay(split.validation.from), end: isoDay(split.validation.to) },
      test: { start: isoDay(split.test.from), end: isoDay(split.test.to) },
      delayDays: opts.split.delayDays,
    },
    metrics: { test: test.metrics, validation: validation.metrics, ...(prequential === null ? {} : { prequential }) },
    testSet: test,
    thresholds,
    featureImportance: gains,
    breakdown,
    drift,
  });
  return { metadata, onnx, files: served.files, reportHtml, test, prequential, split };
}
