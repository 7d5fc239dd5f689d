import { toXGBoostParams, type BinaryParams } from './binary-params';
import type { Booster } from './booster';
import type { DMatrix } from './dmatrix';
import { parseEvalLine } from './eval-line';
import { improves, type EvalMetric } from './eval-metric';
import type { XGBoost } from './load-xgboost';

/** Options of {@link trainBinary}. Matrices stay owned (and freed) by the caller. */
export interface TrainBinaryOptions {
  /** Labelled training data (labels 0/1). */
  readonly train: DMatrix;
  /** Labelled validation data; when given, the best round is chosen on it. */
  readonly valid?: DMatrix;
  readonly params?: BinaryParams;
  /** Maximum boosting rounds (integer ≥ 1). */
  readonly rounds: number;
  /** Stop after this many rounds without a strict improvement on `valid` (needs `valid`). */
  readonly earlyStoppingRounds?: number;
  /** Metric to select the best round by; "aucpr" (maximised) by default. */
  readonly evalMetric?: EvalMetric;
  /** Also evaluate the training set each round (for the history); false by default. */
  readonly evalTrain?: boolean;
  /** Called after every round with that round's scores; a throw aborts training. */
  readonly onIteration?: (record: IterationRecord) => void;
}

/** Scores of one round, keyed "<set>-<metric>" (e.g. "valid-aucpr"). */
export interface IterationRecord {
  readonly iteration: number;
  readonly scores: Readonly<Record<string, number>>;
}

export interface TrainBinaryResult {
  /** The model cut to rounds [0, bestIteration]; the caller owns it and must free it. */
  readonly booster: Booster;
  /** 0-based best round: by `monitor` with a validation set, else the last round. */
  readonly bestIteration: number;
  /** The monitored score at bestIteration. */
  readonly bestScore: number;
  /** The score key rounds were compared by, e.g. "valid-aucpr". */
  readonly monitor: string;
  readonly roundsTrained: number;
  readonly stoppedEarly: boolean;
  readonly history: readonly IterationRecord[];
  /** The exact XGBoost parameters used (for the model's metadata). */
  readonly params: ReadonlyArray<readonly [string, string]>;
}

/**
 * Trains a binary:logistic gradient-boosted model (tree_method "hist" unless overridden), evaluating
 * `evalMetric` each round and early-stopping on the validation set. Returns the booster sliced to
 * the best round. Throws RangeError on bad options, XGBoostCallError when XGBoost refuses a
 * parameter or the data (e.g. missing labels), and rethrows an onIteration error; no booster leaks.
 */
export function trainBinary(xgb: XGBoost, options: TrainBinaryOptions): TrainBinaryResult {
  const { train, valid, rounds, earlyStoppingRounds, onIteration } = options;
  const metric = options.evalMetric ?? 'aucpr';
  if (!Number.isSafeInteger(rounds) || rounds < 1) throw new RangeError(`rounds must be a positive integer, got ${rounds}`);
  if (earlyStoppingRounds !== undefined) {
    if (!Number.isSafeInteger(earlyStoppingRounds) || earlyStoppingRounds < 1) {
      throw new RangeError(`earlyStoppingRounds must be a positive integer, got ${earlyStoppingRounds}`);
    }
    if (!valid) throw new RangeError('earlyStoppingRounds needs a validation set (valid)');
  }
  const params: Array<readonly [string, string]> = [
    ['objective', 'binary:logistic'],
    ['eval_metric', metric],
    ...toXGBoostParams({ treeMethod: 'hist', ...options.params }),
  ];
  const sets: Array<readonly [DMatrix, string]> = [];
  if (options.evalTrain || !valid) sets.push([train, 'train']);
  if (valid) sets.push([valid, 'valid']);
  const monitor = `${valid ? 'valid' : 'train'}-${metric}`;

  const booster = xgb.createBooster({ cache: valid ? [train, valid] : [train], params });
  try {
    const history: IterationRecord[] = [];
    let bestIteration = -1;
    let bestScore = Number.NaN;
    let stoppedEarly = false;
    for (let iteration = 0; iteration < rounds; iteration++) {
      booster.updateOneIter(iteration, train);
      const record: IterationRecord = { iteration, scores: parseEvalLine(booster.evalOneIter(iteration, sets)) };
      history.push(record);
      onIteration?.(record);
      const score = record.scores[monitor] ?? Number.NaN;
      if (!valid || bestIteration < 0 || improves(metric, score, bestScore)) {
        bestIteration = iteration;
        bestScore = score;
      } else if (earlyStoppingRounds !== undefined && iteration - bestIteration >= earlyStoppingRounds) {
        stoppedEarly = true;
        break;
      }
    }
    const roundsTrained = history.length;
    const best = bestIteration + 1 < roundsTrained ? booster.slice(0, bestIteration + 1) : booster;
    if (best !== booster) booster.free();
    return { booster: best, bestIteration, bestScore, monitor, roundsTrained, stoppedEarly, history, params };
  } catch (error) {
    booster.free();
    throw error;
  }
}
