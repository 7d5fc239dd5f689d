import type { DecisionLog } from '../../records/decision-log';
import type { DriftReference } from './drift-reference';
import { DriftCounter, type DriftFigures } from './drift-window';

const HOUR = 3_600;

/** The model a window is compared with: its reference and what its vectors and scores look like. */
export interface DriftModel {
  readonly version: string;
  readonly featureSpecHash: string;
  readonly featureNames: readonly string[];
  readonly drift: DriftReference;
}

export interface DecisionLogDriftOptions {
  readonly decisionLog: DecisionLog;
  readonly model: DriftModel;
  /** Event time [from, to), epoch seconds. */
  readonly from: number;
  readonly to: number;
  /** Called after each hour of event time read, with (hours done, hours in the window). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A window of the decision log against a model's reference, and what was left out. */
export interface DecisionLogDrift extends DriftFigures {
  /** Records whose score is the model's: it served them, or scored them in shadow. */
  readonly scoredRows: number;
  readonly skipped: {
    /** Records whose vector is of another feature spec (their vectors name other features). */
    readonly featureSpec: number;
    /** Records of the model's spec scored by another model (or none) and not shadowed by it: their vector counts, their score does not. */
    readonly otherModelScore: number;
  };
}

/**
 * Counts the decision log's records with event time in [from, to) into the bins of the model's
 * drift reference, read an hour of event time at a time (bounded memory, a reader's own
 * connection; nothing is written): every served vector of the model's feature spec (degraded ones
 * too, their unread features in the missing bin, as the service served them), and the score where
 * it is the model's: the record's score when the model decided it, its shadow score when the model
 * ran as the challenger. Rejects with the store's error.
 */
export async function decisionLogDrift(opts: DecisionLogDriftOptions, top = 10): Promise<DecisionLogDrift> {
  const { model } = opts;
  const counter = new DriftCounter(model.drift, model.featureNames);
  const skipped = { featureSpec: 0, otherModelScore: 0 };
  let scoredRows = 0;
  const hours = Math.ceil((opts.to - opts.from) / HOUR);
  for (let h = 0; h < hours; h++) {
    const from = opts.from + h * HOUR;
    for (const r of await opts.decisionLog.list({ fromEpochSeconds: from, toEpochSeconds: Math.min(opts.to, from + HOUR) })) {
      if (r.featureSpecHash !== model.featureSpecHash || r.features.length !== model.featureNames.length) {
        skipped.featureSpec++;
        continue;
      }
      counter.addVector(r.features);
      const score = r.modelVersion === model.version ? r.score : r.shadow?.version === model.version ? r.shadow.score : null;
      if (score === null) skipped.otherModelScore++;
      else {
        counter.addScore(score);
        scoredRows++;
      }
    }
    opts.onProgress?.(h + 1, hours);
  }
  return { ...counter.figures(top), scoredRows, skipped };
}
