import { FEATURE_COUNT, FEATURE_NAMES, type EntityRole } from '../../../features';
import type { DecisionHistory } from '../../records/decision-history';
import { exportServedModel, type ServedModel } from '../served-model';
import { OnnxModel } from '../../model/onnx-model';
import type { ModelMetadata } from '../../model/registry/model-metadata';
import { sha256Hex, type ModelRegistry } from '../../model/registry/model-registry';
import type { StoredProfile } from '../../store/profile-store';
import { evaluateScores, type MetricSet } from '../metrics';
import { isoDay } from '../protocol/time-split';
import { renderReport } from '../report';
import { selectThresholds, type ThresholdTargets } from '../thresholds';
import { modelVersion } from '../train-model';
import { trainBinary, withDMatrix, type BinaryParams, type XGBoost } from '../xgboost';
import { buildDriftReference } from '../../model/drift/build-reference';
import { metadataDrift } from '../evaluate-served';
import { testBreakdown } from '../test-breakdown';
import { checkParity, type ParityResult } from './parity-check';
import { loadServedParts, type ServedPart } from './served-dataset';

const DAY = 86_400;

export interface RetrainOptions {
  readonly xgb: XGBoost;
  /** The decision log and labels, read as history (streamed). */
  readonly history: DecisionHistory;
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
  /** Profiles the store started from (its PROFILE_SNAPSHOT), for the parity replay. */
  readonly seedProfiles?: Readonly<Record<EntityRole, ReadonlyMap<string, StoredProfile>>>;
  readonly now: Date;
  /** Who runs it, for the registry's audit trail (see defaultActor). */
  readonly actor?: string;
  /** Records decided less than this long before `now` are left out of the parity check (they may still be committing), ms. */
  readonly settleMs?: number;
}

export interface RetrainResult {
  readonly promoted: boolean;
  /** Why (or why not). */
  readonly reason: string;
  readonly champion: string | null;
  readonly challenger: string;
  readonly metrics: { readonly champion: MetricSet | null; readonly challenger: MetricSet };
  readonly parity: ParityResult;
  readonly rows: {
    readonly train: number;
    readonly validation: number;
    readonly holdout: number;
    readonly immatureExcluded: number;
    /** Challenged or declined decisions of the three windows left out for want of a label (see `loadServedParts`). */
    readonly heldUnlabeledExcluded: number;
  };
}

/** A parity failure stops the whole run: never a silently trained model. */
export class ParityError extends Error {
  override readonly name = 'ParityError';
  constructor(
    message: string,
    readonly parity: ParityResult,
  ) {
    super(message);
  }
}

function evaluate(scores: Float32Array, part: ServedPart) {
  return evaluateScores({
    scores,
    labels: part.labels,
    cardIds: part.userId ?? [],
    days: Float64Array.from(part.eventTime, (t) => Math.floor(t / DAY)),
  });
}

/** The refusal message of a failed parity check: counts, the first differing feature, the first gap. */
export function parityFailure(p: ParityResult): string {
  const parts = [`parity check failed: ${p.mismatches} of ${p.checked} logged feature vectors differ from a replay through features/`];
  if (p.first !== null) parts.push(`first: transaction ${p.first.transactionId}, feature ${p.first.feature} logged ${String(p.first.logged)} replayed ${String(p.first.replayed)}`);
  if (p.gaps.first !== null) {
    const g = p.gaps.first;
    parts.push(`${p.gaps.count} break(s) in entity histories, first: ${g.role} ${g.entity} version ${g.expected} missing (found ${g.found}); changes not yet reconciled leave such breaks, retry once fraud_profile_reconcile_pending is 0`);
  }
  if (p.examples.length > 0) parts.push(`e.g. ${p.examples.join(', ')}`);
  return parts.join('; ');
}

/**
 * Scheduled retraining from what the service actually served:
 * 1. parity: replays the logged history through `features/`, each entity in its own version order,
 *    and requires every logged vector whose profiles were read to match bit for bit (a vector
 *    read after a break in its entity's history cannot be reproduced, and counts as a mismatch;
 *    throws {@link ParityError} otherwise: training on vectors the service would not reproduce
 *    would be training on a lie); vectors served with a profile unread are excluded and counted;
 * 2. the training set: served vectors joined with labels known at `asOf` (streamed, in bounded
 *    memory), unlabeled ones counted legitimate; transactions younger than the maturity window left out;
 * 3. a challenger trained on [holdout - validation - lookback, holdout - validation), early-stopped
 *    and thresholded on the validation days, exported to ONNX, with its drift reference (served
 *    vectors of the training days, its scores on the validation days);
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

  const seed = opts.seedProfiles ?? { user: new Map(), merchant: new Map() };
  const before = new Date(opts.now.getTime() - (opts.settleMs ?? 5_000)).toISOString();
  const parity = await checkParity({ history: opts.history, seed, window: { from: train.from, to: opts.asOf }, before });
  if (parity.mismatches > 0) throw new ParityError(parityFailure(parity), parity);
  const cols = FEATURE_COUNT;
  const [trainPart, validPart, holdoutPart] = (await loadServedParts(opts.history, {
    windows: [train, validation, holdout],
    asOf: opts.asOf,
    specHash: opts.specHash,
    cols,
    keepUserIds: [false, false, true],
  })) as [ServedPart, ServedPart, ServedPart];
  const heldUnlabeledExcluded = trainPart.heldUnlabeled + validPart.heldUnlabeled + holdoutPart.heldUnlabeled;
  const immatureExcluded = await opts.history.countServed({ from: matureEnd, to: opts.asOf + 1, asOf: opts.asOf, specHash: opts.specHash });
  for (const [name, part, w] of [
    ['training', trainPart, train],
    ['validation', validPart, validation],
    ['holdout', holdoutPart, holdout],
  ] as const) {
    if (part.labels.every((l) => l === 0)) {
      throw new RangeError(`the ${name} window ${isoDay(w.from)}..${isoDay(w.to - 1)} has ${part.rows} matured transactions and no labeled fraud to learn from or compare on`);
    }
  }

  const { xgb } = opts;
  const fitted = withDMatrix(xgb, { data: trainPart.data, rows: trainPart.rows, cols, labels: Float32Array.from(trainPart.labels) }, (dtrain) =>
    withDMatrix(xgb, { data: validPart.data, rows: validPart.rows, cols, labels: Float32Array.from(validPart.labels) }, (dvalid) =>
      trainBinary(xgb, { train: dtrain, valid: dvalid, params: opts.params, rounds: opts.rounds, earlyStoppingRounds: opts.earlyStoppingRounds, evalMetric: 'aucpr' }),
    ),
  );
  let served: ServedModel;
  let importance: ReadonlyMap<string, number>;
  try {
    served = exportServedModel(fitted.booster.saveJson(), cols, opts.specHash);
    importance = fitted.booster.featureScore('total_gain');
  } finally {
    fitted.booster.free();
  }
  const { onnx, manifest } = served;
  const sha256 = manifest.sha256;
  const version = modelVersion(opts.now, sha256);
  const championEntry = opts.registry.champion();
  const draft: ModelMetadata = {
    version,
    createdAt: opts.now.toISOString(),
    parent: championEntry?.metadata.version ?? null,
    featureSpecHash: opts.specHash,
    featureNames: [...FEATURE_NAMES],
    ...manifest,
    thresholds: { challenge: 1, decline: 1 },
    status: 'candidate',
  };
  const challengerModel = await OnnxModel.fromBytes(onnx, draft, { expectedSpecHash: opts.specHash, threads: 2 }, Buffer.from(served.explainer));
  const challengerHoldout = await challengerModel.scoreBatch(holdoutPart.data, holdoutPart.rows);
  const challengerValid = await challengerModel.scoreBatch(validPart.data, validPart.rows);
  await challengerModel.close();
  const challenger = evaluate(challengerHoldout, holdoutPart);
  let champion: MetricSet | null = null;
  if (championEntry !== null) {
    const model = await OnnxModel.load(championEntry.dir, championEntry.metadata, { expectedSpecHash: opts.specHash, threads: 2 });
    champion = evaluate(await model.scoreBatch(holdoutPart.data, holdoutPart.rows), holdoutPart).metrics;
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
  // Features as served in the training window; the challenger's scores on the validation window,
  // which it was not fitted on (see datasetDriftReference).
  const drift = buildDriftReference({ featureNames: FEATURE_NAMES, vectors: trainPart.data, scores: challengerValid });
  const breakdown = testBreakdown({
    scores: challengerHoldout,
    labels: holdoutPart.labels,
    thresholds: thresholds.thresholds,
    vectors: holdoutPart.data,
    scenarios: { missing: 'the decision log does not carry the simulator\'s scenario (a real payment stream has none)' },
  });
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
      parity: { checked: parity.checked, mismatches: parity.mismatches, degraded: parity.degraded.total },
      rows: { train: trainPart.rows, validation: validPart.rows, holdout: holdoutPart.rows, immatureExcluded, heldUnlabeledExcluded },
      gate: { promoted, reason, apMargin: opts.apMargin, champion: championEntry === null ? null : { version: championEntry.metadata.version, holdout: champion } },
    },
    drift: metadataDrift(drift),
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
    breakdown,
    drift,
  });
  opts.registry.add(metadata, { ...served.files, 'report.html': report });
  const actor = opts.actor ?? 'retrain';
  const previous = championEntry?.metadata.version ?? null;
  opts.registry.record({
    at: opts.now.toISOString(),
    action: 'retrain',
    actor,
    from: previous,
    to: promoted ? version : previous,
    reason,
    challenger: version,
    gate: { promoted, apMargin: opts.apMargin, challenger: c, champion, parity: { checked: parity.checked, mismatches: parity.mismatches } },
  });
  if (promoted) opts.registry.promote(version, opts.now, { actor, reason: `retrain: ${reason}` });
  return {
    promoted,
    reason,
    champion: promoted ? version : (championEntry?.metadata.version ?? null),
    challenger: version,
    metrics: { champion, challenger: c },
    parity,
    rows: { train: trainPart.rows, validation: validPart.rows, holdout: holdoutPart.rows, immatureExcluded, heldUnlabeledExcluded },
  };
}
