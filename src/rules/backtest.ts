import type { Decision } from '../records/decision-record';
import type { BacktestOutcome } from './backtest-tally';
import { activationOf, type ListEntries, type RuleInput, type RuleSet } from './rule-set';
import { evaluateRules } from './rule-verdict';

/** Input a backtest cannot use (a missing or mismatched dataset, stream or log): the message says which and why. */
export class BacktestInputError extends Error {
  override readonly name = 'BacktestInputError';
}

/** One historical decision to replay a rule set on. */
export interface BacktestRow {
  /**
   * What the rules see; `input.decision` is the model's decision (after the degraded policy), the
   * one the candidate set's rules apply to.
   */
  readonly input: RuleInput;
  /** The decision the candidate set is compared with. */
  readonly baseline: Decision;
  readonly fraud: boolean;
  readonly labelled: boolean;
}

/** The lists a backtest reads, by name: every list the set declares (an absent one reads as empty). */
export type BacktestLists = Readonly<Record<string, ListEntries>>;

/**
 * Replays `set` on one row: the verdict the set gives the model's decision, with the row's baseline
 * and truth. Pure; a rule whose expression fails counts as not hit (see `evaluateRules`).
 */
export function replayRow(set: RuleSet, lists: BacktestLists, row: BacktestRow): BacktestOutcome {
  const activation = activationOf(row.input, lists);
  return {
    baseline: row.baseline,
    verdict: evaluateRules(set, activation, row.input.decision),
    fraud: row.fraud,
    labelled: row.labelled,
    amountCents: activation.amount,
  };
}
