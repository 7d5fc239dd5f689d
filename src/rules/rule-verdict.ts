import type { Decision } from '../records/decision-record';
import { stricter } from '../records/decide';
import type { RuleActivation, RuleSet } from './rule-set';

/** What a rule set made of one decision. */
export interface RuleVerdict {
  /** The decision after the rules (see {@link evaluateRules} for the precedence). */
  readonly decision: Decision;
  /** Ids of the rules whose `when` held, in file order (each named whether or not it changed the decision). */
  readonly hits: string[];
  /** Ids of the rules whose `when` failed at run time (counted as not hit). */
  readonly errors: string[];
}

/**
 * Evaluates every rule of `set` on `activation` and applies the hits to `modelDecision`:
 * 1. any `force` hit decides, the strictest of them (a block list beats an allow list);
 * 2. otherwise the model's decision is raised to the strictest `floor` hit (never lowered).
 * A rule whose expression fails at run time (e.g. a division by zero) counts as not hit and is
 * reported in `errors`. Pure: the same set, activation and decision give the same verdict.
 */
export function evaluateRules(set: RuleSet, activation: RuleActivation, modelDecision: Decision): RuleVerdict {
  const hits: string[] = [];
  const errors: string[] = [];
  let forced: Decision | null = null;
  let decision = modelDecision;
  for (const rule of set.rules) {
    let hit: boolean;
    try {
      hit = rule.test(activation);
    } catch {
      errors.push(rule.id);
      continue;
    }
    if (!hit) continue;
    hits.push(rule.id);
    const o = rule.outcome;
    if ('force' in o) forced = forced === null ? o.force : stricter(forced, o.force);
    else decision = stricter(decision, o.floor);
  }
  return { decision: forced ?? decision, hits, errors };
}
