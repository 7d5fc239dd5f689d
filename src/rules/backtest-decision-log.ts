import { resolveLabel } from '../../features';
import type { DecisionLog, LoggedDecision } from '../records/decision-log';
import type { Decision } from '../records/decision-record';
import type { LabelRecord, LabelStore } from '../records/label-store';
import { RegistryError, type ModelRegistry } from '../model/registry/model-registry';
import { decide, stricter, type Thresholds } from '../records/decide';
import type { BacktestRow } from './backtest';

const HOUR = 3_600;
/** Labels reported this long before the window starts are read too (a label never precedes its transaction by more than clock skew). */
const LABEL_SKEW = 86_400;

/** The service's decision policy when the model could not decide alone (its config). */
export interface DecisionPolicy {
  readonly degradedPolicy: 'score' | Decision;
  readonly noModelDecision: Decision;
}

export interface DecisionLogBacktestOptions {
  readonly decisionLog: DecisionLog;
  readonly labels: LabelStore;
  /** Where each record's model (and its thresholds) is. */
  readonly registry: ModelRegistry;
  /** Event time [from, to), epoch seconds. */
  readonly from: number;
  readonly to: number;
  readonly policy: DecisionPolicy;
  /** The running feature spec's hash: records of another spec are skipped (their vectors name other features). */
  readonly specHash: string;
  /** Called after each hour of event time read, with (hours done, hours in the window). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Where a decision-log backtest's rows came from, and the records it could not replay. */
export interface DecisionLogBacktestSource {
  readonly kind: 'decision-log';
  readonly log: DecisionLog['kind'];
  /** [from, to) of event time, ISO 8601. */
  readonly window: { readonly from: string; readonly to: string };
  /** Models whose thresholds gave the model decisions, with the number of records of each. */
  readonly models: Readonly<Record<string, number>>;
  readonly skipped: {
    /** Records whose vector is of another feature spec. */
    readonly featureSpec: number;
    /** Records with rule hits whose model is not in the registry (their model decision is unknown). */
    readonly unknownModel: number;
  };
}

/**
 * The model's decision for a logged record: `decide(score, thresholds of its model)`, raised by
 * the degraded policy when a profile was not read, as the service decided it before the rules.
 * Without a score (no model), or when its model is not in the registry, the recorded decision when
 * no rule hit it (then it is the model's, or the no-model policy's), else the no-model policy's
 * decision (no score) or null (unknown model).
 */
export function modelDecisionOf(record: LoggedDecision, thresholds: Thresholds | null, policy: DecisionPolicy): Decision | null {
  const hit = (record.rules?.hits.length ?? 0) > 0;
  if (record.score === null) return hit ? policy.noModelDecision : record.decision;
  if (thresholds === null) return hit ? null : record.decision;
  const decision = decide(record.score, thresholds);
  const unread = record.userReadVersion === null || record.merchantReadVersion === null;
  return unread && policy.degradedPolicy !== 'score' ? stricter(decision, policy.degradedPolicy) : decision;
}

/**
 * Calls `onRow` for every logged decision with event time in [from, to), read an hour of event
 * time at a time (bounded memory): the recorded transaction, vector, score and degraded state; the
 * model decision ({@link modelDecisionOf}); the recorded decision as the baseline; and its labels
 * as known now (fraud = they resolve to fraud by the usual precedence; unlabelled = none).
 * Rejects with the store's error.
 */
export async function decisionLogBacktestRows(opts: DecisionLogBacktestOptions, onRow: (row: BacktestRow) => void): Promise<DecisionLogBacktestSource> {
  const labels = new Map<string, LabelRecord[]>();
  for (const l of await opts.labels.listArrived(opts.from - LABEL_SKEW, Number.MAX_SAFE_INTEGER)) {
    const list = labels.get(l.transactionId);
    if (list === undefined) labels.set(l.transactionId, [l]);
    else list.push(l);
  }
  const thresholdsOf = new Map<string, Thresholds | null>();
  const lookup = (version: string | null): Thresholds | null => {
    if (version === null) return null;
    let t = thresholdsOf.get(version);
    if (t === undefined) {
      try {
        t = opts.registry.get(version).metadata.thresholds;
      } catch (err) {
        if (!(err instanceof RegistryError)) throw err;
        t = null;
      }
      thresholdsOf.set(version, t);
    }
    return t;
  };
  const models: Record<string, number> = {};
  const skipped = { featureSpec: 0, unknownModel: 0 };
  const hours = Math.ceil((opts.to - opts.from) / HOUR);
  for (let h = 0; h < hours; h++) {
    const from = opts.from + h * HOUR;
    const records = await opts.decisionLog.list({ fromEpochSeconds: from, toEpochSeconds: Math.min(opts.to, from + HOUR) });
    for (const r of records) {
      if (r.featureSpecHash !== opts.specHash) {
        skipped.featureSpec++;
        continue;
      }
      const thresholds = lookup(r.modelVersion);
      const decision = modelDecisionOf(r, thresholds, opts.policy);
      if (decision === null) {
        skipped.unknownModel++;
        continue;
      }
      if (thresholds !== null && r.score !== null) models[r.modelVersion as string] = (models[r.modelVersion as string] ?? 0) + 1;
      const reports = labels.get(r.transactionId) ?? [];
      onRow({
        input: { txn: r.transaction, features: r.features, score: r.score, decision, degraded: r.degraded },
        baseline: r.decision,
        fraud: resolveLabel(reports) === 'fraud',
        labelled: reports.length > 0,
      });
    }
    opts.onProgress?.(h + 1, hours);
  }
  return {
    kind: 'decision-log',
    log: opts.decisionLog.kind,
    window: { from: new Date(opts.from * 1000).toISOString(), to: new Date(opts.to * 1000).toISOString() },
    models,
    skipped,
  };
}
