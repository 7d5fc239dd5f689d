import type { Counter } from 'prom-client';
import type { AppliedRules, Decision } from '../records/decision-record';
import type { ServiceMetrics } from '../telemetry/metrics';
import type { ListSnapshot } from './list-snapshot';
import { activationOf, type ListEntries, type RuleInput, type RuleSet } from './rule-set';
import { evaluateRules } from './rule-verdict';

/** A decision after the guard rails. */
export interface GuardedDecision {
  readonly decision: Decision;
  /** Null when no rule set is configured. */
  readonly rules: AppliedRules | null;
}

/** A rule set as served: the set, its lists' entries as rules read them, and its bound metric children. */
interface Served {
  readonly set: RuleSet;
  readonly lists: Readonly<Record<string, ListEntries>>;
  readonly hitCounters: readonly Counter.Internal[];
  readonly errorCounters: ReadonlyMap<string, Counter.Internal>;
  readonly noHits: AppliedRules;
}

/**
 * The guard rails every fresh decision passes through after the model (see docs/rules.md): the
 * rule set in force (`current()`, which may change between calls as its file is reloaded) and the
 * replica's copy of the lists. Without a rule set (RULES_FILE unset) every decision passes
 * unchanged and records no rules.
 */
export class GuardRails {
  private served: Served | null = null;
  private shown: RuleSet | null = null;

  /**
   * @param current the rule set in force now (a reloading file's latest good value), or null for none
   * @param snapshot the lists this replica holds, or null when no list store is open
   */
  constructor(
    private readonly current: () => RuleSet | null,
    readonly snapshot: ListSnapshot | null,
    private readonly metrics: ServiceMetrics,
  ) {}

  /** The rule set in force, or null. */
  ruleSet(): RuleSet | null {
    return this.current();
  }

  /** `input`'s decision after the rules, counting each hit (and each rule that failed) by rule. */
  check(input: RuleInput): GuardedDecision {
    const served = this.serve();
    if (served === null) return { decision: input.decision, rules: null };
    const verdict = evaluateRules(served.set, activationOf(input, served.lists), input.decision);
    for (const id of verdict.errors) served.errorCounters.get(id)?.inc();
    if (verdict.hits.length === 0) return { decision: verdict.decision, rules: served.noHits };
    const rules = served.set.rules;
    for (let i = 0, h = 0; i < rules.length && h < verdict.hits.length; i++) {
      if ((rules[i] as { id: string }).id === verdict.hits[h]) {
        (served.hitCounters[i] as Counter.Internal).inc();
        h++;
      }
    }
    return { decision: verdict.decision, rules: { version: served.set.version, hash: served.set.hash, hits: verdict.hits } };
  }

  /** The served form of the current set, rebuilt when the set changed (children bound once per set). */
  private serve(): Served | null {
    const set = this.current();
    if (set === null) return null;
    if (this.served?.set === set) return this.served;
    const lists: Record<string, ListEntries> = {};
    for (const l of set.lists) lists[l.name] = this.snapshot === null ? new Map() : this.snapshot.entries(l.name);
    const { ruleHits, ruleErrors, ruleSetInfo } = this.metrics;
    if (this.shown !== null) ruleSetInfo.remove({ version: this.shown.version, hash: this.shown.hash });
    ruleSetInfo.set({ version: set.version, hash: set.hash }, 1);
    this.shown = set;
    this.served = {
      set,
      lists,
      hitCounters: set.rules.map((r) => ruleHits.labels({ rule: r.id })),
      errorCounters: new Map(set.rules.map((r) => [r.id, ruleErrors.labels({ rule: r.id })])),
      noHits: Object.freeze({ version: set.version, hash: set.hash, hits: Object.freeze([]) as readonly string[] }),
    };
    // Every rule's series exists from the set's first use, so an alert sees its first hit.
    for (const c of this.served.hitCounters) c.inc(0);
    return this.served;
  }

  /** Binds the set's metrics now (at start and after a reload), rather than on the first decision. */
  prepare(): void {
    this.serve();
  }
}
