import { FEATURE_NAMES } from '../../../features';
import type { DecisionLog } from '../../events/decision-log';
import type { LabelStore } from '../../events/label-store';
import { exportXGBoostToOnnx } from '../../model/onnx-export';
import { OnnxModel } from '../../model/onnx-model';
import type { ModelMetadata } from '../../model/registry/model-metadata';
import { sha256Hex, type ModelRegistry } from '../../model/registry/model-registry';
import type { ProfileState } from '../../../features';
import { evaluateScores, type MetricSet } from '../metrics';
import { isoDay } from '../protocol/time-split';
import { renderReport } from '../report';
import { selectThresholds, type ThresholdTargets } from '../thresholds';
import { modelVersion } from '../train-model';
import { trainBinary, withDMatrix, type BinaryParams, type XGBoost } from '../xgboost';
import { checkParity, type ParityResult } from './parity-check';
import { buildServedDataset, type ServedDataset } from './served-dataset';

const DAY = 86_400;

export interface RetrainOptions {
  readonly xgb: XGBoost;
  readonly decisionLog: DecisionLog;
  readonly labels: LabelStore;
  readonly registry: ModelRegistry;
  /** The running feature spec hash. */
  readonly specHash: string;
  /** The moment of retraining (epoch seconds): only labels known by then count. */
  readonly asOf: number;
  /** Unlabeled transactions younger than this are left out; older ones count as legitimate. */
  readonly maturityDays: number;
  /** The most recent matured days held out to compare challenger and champion. */
  readonly holdoutDays: number;
  /** Days before the holdout used for early stopping and thresholds. */
  readonly validationDays: number;
  /** How far back training data goes (days before the validation window). */
  readonly lookbackDays: number;
  /** Promote only if challenger AP >= champion AP + margin (and recall at 1% FPR not worse). */
  readonly apMargin: number;
  readonly params: BinaryParams;
  readonly rounds: number;
  readonly earlyStoppingRounds: number;
  readonly thresholdTargets: ThresholdTargets;
  /** Profiles the service started from (its PROFILE_SNAPSHOT), for the parity replay. */
  readonly seedProfiles?: { users: ReadonlyMap<string, ProfileState>; merchants: ReadonlyMap<string, ProfileState> };
  readonly now: Date;
}

export interface RetrainResult {
  readonly promoted: boolean;
  /** Why (or why not). */
  readonly reason: string;
  readonly champion: string | null;
  readonly challenger: string;
  readonly metrics: { readonly champion: MetricSet | null; readonly challenger: MetricSet };
  readonly parity: ParityResult;
  readonly rows: { readonly train: number; readonly validation: number; readonly holdout: number; readonly immatureExcluded: number };
}

/** Parity below this is a failure of the whole run, never a silently trained model. */
export class ParityError extends Error {
  override readonly name = 'ParityError';
}

function pick(d: ServedDataset, from: number, to: number): { rows: Uint32Array; data: Float32Array; labels: Uint8Array } {
  const rows: number[] = [];
  for (let i = 0; i < d.eventTime.length; i++) if ((d.eventTime[i] as number) >= from && (d.eventTime[i] as number) < to) rows.push(i);
  const data = new Float32Array(rows.length * d.cols);
  rows.forEach((r, i) => data.set(d.matrix.subarray(r * d.cols, (r + 1) * d.cols), i * d.cols));
  return { rows: Uint32Array.from(rows), data, labels: Uint8Array.from(rows, (r) => d.labels[r] as number) };
}

function evaluate(scores: Float32Array, part: { rows: Uint32Array; labels: Uint8Array }, d: ServedDataset) {
  return evaluateScores({
    scores,
    labels: part.labels,
    cardIds: Array.from(part.rows, (r) => d.userId[r] as string),
    days: Float64Array.from(part.rows, (r) => Math.floor((d.eventTime[r] as number) / DAY)),
  });
}

/**
 * Scheduled retraining from what the service actually served:
 * 1. parity: replays the logged history through `features/` and requires every logged vector to
 *    match bit for bit (throws {@link ParityError} otherwise: training on vectors the service would
 *    not reproduce would be training on a lie);
 * 2. the training set: served vectors joined with labels known at `asOf`, unlabeled ones counted
 *    legitimate once older than the maturity window, younger unlabeled ones left out;
 * 3. a challenger trained on [holdout - validation - lookback, holdout - validation), early-stopped
 *    and thresholded on the validation days, exported to ONNX;
 * 4. challenger and champion scored through onnxruntime on the most recent matured holdout days;
 * 5. promotion when the challenger's AP beats the champion's by `apMargin` and its recall at
 *    1% FPR is not worse. The challenger is recorded in the registry either way, with its lineage
 *    and both models' holdout metrics.
 */
export async function retrain(opts: RetrainOptions): Promise<RetrainResult> {
  const matureEnd = opts.asOf - opts.maturityDays * DAY;
  const holdout = { from: matureEnd - opts.holdoutDays * DAY, to: matureEnd };
  const validation = { from: holdout.from - opts.validationDays * DAY, to: holdout.from };
  const train = { from: validation.from - opts.lookbackDays * DAY, to: validation.from };

  const all = await opts.decisionLog.list({ fromEpochSeconds: Number.MIN_SAFE_INTEGER, toEpochSeconds: Number.MAX_SAFE_INTEGER });
  const labels = await opts.labels.listArrived(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  const parity = checkParity({ decisions: all, labels, window: { from: train.from, to: opts.asOf }, ...(opts.seedProfiles === undefined ? {} : { seed: opts.seedProfiles }) });
  if (parity.mismatches > 0) {
    throw new ParityError(`parity check failed: ${parity.mismatches} of ${parity.checked} logged feature vectors differ from a replay through features/ (e.g. ${parity.examples.join(', ')})`);
  }
  const served = buildServedDataset(
    all.filter((d) => d.featureSpecHash === opts.specHash),
    labels,
    { asOf: opts.asOf, maturitySeconds: opts.maturityDays * DAY },
  );
  const trainPart = pick(served, train.from, train.to);
  const validPart = pick(served, validation.from, validation.to);
  const holdoutPart = pick(served, holdout.from, holdout.to);
  for (const [name, part, w] of [
    ['training', trainPart, train],
    ['validation', validPart, validation],
    ['holdout', holdoutPart, holdout],
  ] as const) {
    if (part.labels.every((l) => l === 0)) {
      throw new RangeError(`the ${name} window ${isoDay(w.from)}..${isoDay(w.to - 1)} has ${part.rows.length} matured transactions and no labeled fraud to learn from or compare on`);
    }
  }

  const { xgb } = opts;
  const cols = served.cols;
  const fitted = withDMatrix(xgb, { data: trainPart.data, rows: trainPart.rows.length, cols, labels: Float32Array.from(trainPart.labels) }, (dtrain) =>
    withDMatrix(xgb, { data: validPart.data, rows: validPart.rows.length, cols, labels: Float32Array.from(validPart.labels) }, (dvalid) =>
      trainBinary(xgb, { train: dtrain, valid: dvalid, params: opts.params, rounds: opts.rounds, earlyStoppingRounds: opts.earlyStoppingRounds, evalMetric: 'aucpr' }),
    ),
  );
  let onnx: Uint8Array;
  let importance: ReadonlyMap<string, number>;
  try {
    onnx = exportXGBoostToOnnx(fitted.booster.saveJson(), { featureCount: cols, metadata: { featureSpecHash: opts.specHash } });
    importance = fitted.booster.featureScore('total_gain');
  } finally {
    fitted.booster.free();
  }
  const sha256 = sha256Hex(onnx);
  const version = modelVersion(opts.now, sha256);
  const championEntry = opts.registry.champion();
  const draft: ModelMetadata = {
    version,
    createdAt: opts.now.toISOString(),
    parent: championEntry?.metadata.version ?? null,
    featureSpecHash: opts.specHash,
    featureNames: [...FEATURE_NAMES],
    onnx: { file: 'model.onnx', input: 'features', output: 'probability' },
    sha256,
    thresholds: { challenge: 1, decline: 1 },
    status: 'candidate',
  };
  const challengerModel = await OnnxModel.fromBytes(onnx, draft, { expectedSpecHash: opts.specHash, threads: 2 });
  const challengerHoldout = await challengerModel.scoreBatch(holdoutPart.data, holdoutPart.rows.length);
  const challengerValid = await challengerModel.scoreBatch(validPart.data, validPart.rows.length);
  await challengerModel.close();
  const challenger = evaluate(challengerHoldout, holdoutPart, served);
  let champion: MetricSet | null = null;
  if (championEntry !== null) {
    const model = await OnnxModel.load(championEntry.dir, championEntry.metadata, { expectedSpecHash: opts.specHash, threads: 2 });
    champion = evaluate(await model.scoreBatch(holdoutPart.data, holdoutPart.rows.length), holdoutPart, served).metrics;
    await model.close();
  }
  const c = challenger.metrics;
  let promoted: boolean;
  let reason: string;
  if (champion === null) {
    promoted = true;
    reason = 'no champion to compare with';
  } else if (!(c.ap >= champion.ap + opts.apMargin)) {
    promoted = false;
    reason = `challenger AP ${c.ap.toFixed(4)} does not beat the champion's ${champion.ap.toFixed(4)} by ${opts.apMargin}`;
  } else if (!(c.recallAt1pctFpr >= champion.recallAt1pctFpr)) {
    promoted = false;
    reason = `challenger recall at 1% FPR ${c.recallAt1pctFpr.toFixed(4)} is below the champion's ${champion.recallAt1pctFpr.toFixed(4)}`;
  } else {
    promoted = true;
    reason = `challenger AP ${c.ap.toFixed(4)} vs ${champion.ap.toFixed(4)}, recall at 1% FPR ${c.recallAt1pctFpr.toFixed(4)} vs ${champion.recallAt1pctFpr.toFixed(4)}`;
  }

  const thresholds = selectThresholds(challengerValid, validPart.labels, opts.thresholdTargets);
  const window = (w: { from: number; to: number }) => ({ from: isoDay(w.from), to: isoDay(w.to - 1) });
  const metadata: ModelMetadata = {
    ...draft,
    status: promoted ? 'candidate' : 'rejected',
    thresholds: { ...thresholds.thresholds, targets: { ...thresholds.targets }, validation: { ...thresholds.validation } },
    trainer: { name: 'xgboost', version: `${xgb.version().major}.${xgb.version().minor}.${xgb.version().patch}`, params: Object.fromEntries(fitted.params), bestIteration: fitted.bestIteration },
    windows: { train: window(train), validation: window(validation), test: window(holdout) },
    datasetHash: sha256Hex(Buffer.concat([Buffer.from(trainPart.data.buffer), Buffer.from(trainPart.labels)])),
    protocol: 'retrain-served',
    metrics: { test: { ...c, rows: challenger.rows, frauds: challenger.frauds } },
    notes: {
      asOf: new Date(opts.asOf * 1000).toISOString(),
      maturityDays: opts.maturityDays,
      parity: { checked: parity.checked, mismatches: parity.mismatches },
      rows: { train: trainPart.rows.length, validation: validPart.rows.length, holdout: holdoutPart.rows.length, immatureExcluded: served.immatureExcluded },
      gate: { promoted, reason, apMargin: opts.apMargin, champion: championEntry === null ? null : { version: championEntry.metadata.version, holdout: champion } },
    },
  };
  const report = renderReport({
    model: {
      version,
      createdAt: metadata.createdAt,
      parent: metadata.parent ?? null,
      featureSpecHash: opts.specHash,
      datasetHash: metadata.datasetHash ?? '',
      trainer: `xgboost ${metadata.trainer?.version} (C API via koffi), retrained on served vectors`,
      params: Object.fromEntries(fitted.params),
    },
    windows: {
      train: { start: isoDay(train.from), end: isoDay(train.to) },
      validation: { start: isoDay(validation.from), end: isoDay(validation.to) },
      test: { start: isoDay(holdout.from), end: isoDay(holdout.to) },
    },
    metrics: { test: c },
    testSet: challenger,
    thresholds,
    featureImportance: [...importance].map(([k, gain]) => ({ name: FEATURE_NAMES[Number(k.replace(/^f/, ''))] ?? k, gain })),
  });
  opts.registry.add(metadata, { 'model.onnx': onnx, 'report.html': report });
  if (promoted) opts.registry.promote(version, opts.now);
  return {
    promoted,
    reason,
    champion: promoted ? version : (championEntry?.metadata.version ?? null),
    challenger: version,
    metrics: { champion, challenger: c },
    parity,
    rows: { train: trainPart.rows.length, validation: validPart.rows.length, holdout: holdoutPart.rows.length, immatureExcluded: served.immatureExcluded },
  };
}
