import type { Decision } from '../records/decision-record';
import type { RuleSet } from './rule-set';
import type { RuleVerdict } from './rule-verdict';

/** The decisions, least strict first. */
export const DECISIONS: readonly Decision[] = ['approve', 'challenge', 'decline'];

/** A count per decision. */
export type DecisionCounts = Record<Decision, number>;

/** A change of decision, `from->to` (e.g. `approve->challenge`). */
export type DecisionChange = `${Decision}->${Decision}`;

/** The six changes, in a fixed order. */
export const CHANGES: readonly DecisionChange[] = DECISIONS.flatMap((from) => DECISIONS.filter((to) => to !== from).map((to) => `${from}->${to}` as DecisionChange));

/** What the replay made of one row: its baseline decision, the rule set's verdict, and its truth. */
export interface BacktestOutcome {
  /** The decision the candidate set is compared with (the model's, or the one recorded). */
  readonly baseline: Decision;
  /** The candidate set's verdict on the row (`verdict.decision` is the new decision). */
  readonly verdict: RuleVerdict;
  /** The row is fraud (its label resolves to fraud); otherwise it counts as legitimate. */
  readonly fraud: boolean;
  /** The row has a label at all (unlabelled rows count as legitimate). */
  readonly labelled: boolean;
  /** The amount in reference-currency (EUR) cents at the event date's rate. */
  readonly amountCents: number;
}

/**
 * One rule's figures. `hits`: rows where its condition held (whether or not it changed anything);
 * `fraudHits` / `legitHits`: of those, fraud and legitimate (incl. unlabelled) rows; `changedAlone`:
 * rows whose decision changed vs the baseline where it was the only rule that hit (a change with
 * several hits is attributed to none); `errors`: rows where its expression failed at run time
 * (counted as not hit); `after`: the new decisions of the rows it hit.
 */
export interface RuleFigures {
  readonly id: string;
  /** `force <decision>` or `floor <decision>`. */
  readonly outcome: string;
  readonly hits: number;
  readonly fraudHits: number;
  readonly legitHits: number;
  readonly changedAlone: number;
  readonly errors: number;
  readonly after: DecisionCounts;
}

/**
 * A backtest's totals over the rows evaluated. Fraud = a row whose label resolves to fraud;
 * legitimate = every other row, unlabelled ones included (`unlabelled` counts those).
 * - `hits`: rule hits summed over rules; `rowsHit`: rows with at least one hit.
 * - `baseline` / `after`: decisions before (the baseline) and after the candidate set.
 * - `changed`: rows whose decision differs from the baseline, in total and by `from->to`.
 * - `fraudCaught`: fraud rows approved by the baseline that the set challenges or declines
 *   (count and amount, EUR cents).
 * - `frictionAdded`: legitimate rows approved by the baseline that the set challenges or declines,
 *   and that per 1,000 legitimate rows evaluated.
 * - `frictionRemoved`: legitimate rows the baseline challenged or declined that the set approves.
 * - `fraudLetThrough`: fraud rows the baseline challenged or declined that the set approves
 *   (count and amount, EUR cents).
 */
export interface BacktestTotals {
  readonly rows: number;
  readonly frauds: number;
  readonly legitimate: number;
  readonly unlabelled: number;
  readonly hits: number;
  readonly rowsHit: number;
  readonly baseline: DecisionCounts;
  readonly after: DecisionCounts;
  readonly changed: { readonly total: number; readonly byChange: Readonly<Record<DecisionChange, number>> };
  readonly fraudCaught: { readonly count: number; readonly amountCents: number };
  readonly frictionAdded: { readonly count: number; readonly per1000Legit: number };
  readonly frictionRemoved: { readonly count: number };
  readonly fraudLetThrough: { readonly count: number; readonly amountCents: number };
}

/** A backtest's totals and its figures per rule (in the set's order). */
export interface BacktestFigures {
  readonly totals: BacktestTotals;
  readonly rules: readonly RuleFigures[];
}

const counts = (): DecisionCounts => ({ approve: 0, challenge: 0, decline: 0 });

interface RuleTally {
  hits: number;
  fraudHits: number;
  changedAlone: number;
  errors: number;
  after: DecisionCounts;
}

/** Accumulates {@link BacktestOutcome}s of one rule set into {@link BacktestFigures}. */
export class BacktestTally {
  private rows = 0;
  private frauds = 0;
  private unlabelled = 0;
  private hits = 0;
  private rowsHit = 0;
  private readonly baseline = counts();
  private readonly after = counts();
  private readonly byChange = Object.fromEntries(CHANGES.map((c) => [c, 0])) as Record<DecisionChange, number>;
  private readonly fraudCaught = { count: 0, amountCents: 0 };
  private frictionAdded = 0;
  private frictionRemoved = 0;
  private readonly fraudLetThrough = { count: 0, amountCents: 0 };
  private readonly byRule: ReadonlyMap<string, RuleTally>;

  constructor(private readonly set: RuleSet) {
    this.byRule = new Map(set.rules.map((r) => [r.id, { hits: 0, fraudHits: 0, changedAlone: 0, errors: 0, after: counts() }]));
  }

  add(o: BacktestOutcome): void {
    const from = o.baseline;
    const to = o.verdict.decision;
    this.rows++;
    if (o.fraud) this.frauds++;
    if (!o.labelled) this.unlabelled++;
    this.baseline[from]++;
    this.after[to]++;
    const changed = from !== to;
    if (changed) {
      this.byChange[`${from}->${to}`]++;
      if (from === 'approve' && o.fraud) {
        this.fraudCaught.count++;
        this.fraudCaught.amountCents += o.amountCents;
      } else if (from === 'approve') this.frictionAdded++;
      else if (to === 'approve' && o.fraud) {
        this.fraudLetThrough.count++;
        this.fraudLetThrough.amountCents += o.amountCents;
      } else if (to === 'approve') this.frictionRemoved++;
    }
    const hits = o.verdict.hits;
    this.hits += hits.length;
    if (hits.length > 0) this.rowsHit++;
    for (const id of hits) {
      const r = this.byRule.get(id) as RuleTally;
      r.hits++;
      if (o.fraud) r.fraudHits++;
      r.after[to]++;
      if (changed && hits.length === 1) r.changedAlone++;
    }
    for (const id of o.verdict.errors) (this.byRule.get(id) as RuleTally).errors++;
  }

  figures(): BacktestFigures {
    const legitimate = this.rows - this.frauds;
    const totals: BacktestTotals = {
      rows: this.rows,
      frauds: this.frauds,
      legitimate,
      unlabelled: this.unlabelled,
      hits: this.hits,
      rowsHit: this.rowsHit,
      baseline: { ...this.baseline },
      after: { ...this.after },
      changed: { total: CHANGES.reduce((n, c) => n + this.byChange[c], 0), byChange: { ...this.byChange } },
      fraudCaught: { ...this.fraudCaught },
      frictionAdded: { count: this.frictionAdded, per1000Legit: legitimate === 0 ? 0 : Math.round((this.frictionAdded * 1_000_000) / legitimate) / 1000 },
      frictionRemoved: { count: this.frictionRemoved },
      fraudLetThrough: { ...this.fraudLetThrough },
    };
    return {
      totals,
      rules: this.set.rules.map((rule) => {
        const r = this.byRule.get(rule.id) as RuleTally;
        const o = rule.outcome;
        return {
          id: rule.id,
          outcome: 'force' in o ? `force ${o.force}` : `floor ${o.floor}`,
          hits: r.hits,
          fraudHits: r.fraudHits,
          legitHits: r.hits - r.fraudHits,
          changedAlone: r.changedAlone,
          errors: r.errors,
          after: { ...r.after },
        };
      }),
    };
  }
}
