import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BacktestTally, type BacktestOutcome } from '../../../src/rules/backtest-tally';
import { compileRuleSet } from '../../../src/rules/rule-set';
import type { Decision } from '../../../src/records/decision-record';

const SET = compileRuleSet(readFileSync(join(__dirname, '../../../models/rules.json'), 'utf8'));

const outcome = (baseline: Decision, decision: Decision, hits: string[], o: Partial<BacktestOutcome> = {}): BacktestOutcome => ({
  baseline,
  verdict: { decision, hits, errors: [] },
  fraud: false,
  labelled: false,
  amountCents: 1_000,
  ...o,
});

describe('BacktestTally', () => {
  it('classifies each change once: fraud caught, friction added, friction removed, fraud let through', () => {
    const t = new BacktestTally(SET);
    t.add(outcome('approve', 'decline', ['blocked-merchant'], { fraud: true, labelled: true, amountCents: 12_345 }));
    t.add(outcome('approve', 'challenge', ['amount-cap'], { amountCents: 2_000_000 }));
    t.add(outcome('approve', 'decline', ['blocked-merchant']));
    t.add(outcome('challenge', 'approve', ['allowed-user'], { labelled: true }));
    t.add(outcome('decline', 'approve', ['allowed-user'], { fraud: true, labelled: true, amountCents: 777 }));
    t.add(outcome('challenge', 'decline', ['blocked-user', 'amount-cap']));
    t.add(outcome('approve', 'approve', []));
    t.add(outcome('decline', 'decline', ['blocked-mcc']));
    const { totals, rules } = t.figures();
    expect(totals).toEqual({
      rows: 8,
      frauds: 2,
      legitimate: 6,
      unlabelled: 5,
      hits: 8,
      rowsHit: 7,
      baseline: { approve: 4, challenge: 2, decline: 2 },
      after: { approve: 3, challenge: 1, decline: 4 },
      changed: { total: 6, byChange: { 'approve->challenge': 1, 'approve->decline': 2, 'challenge->approve': 1, 'challenge->decline': 1, 'decline->approve': 1, 'decline->challenge': 0 } },
      fraudCaught: { count: 1, amountCents: 12_345 },
      frictionAdded: { count: 2, per1000Legit: 333.333 },
      frictionRemoved: { count: 1 },
      fraudLetThrough: { count: 1, amountCents: 777 },
    });
    const by = Object.fromEntries(rules.map((r) => [r.id, r]));
    expect(rules.map((r) => r.id)).toEqual(SET.rules.map((r) => r.id));
    expect(by['blocked-merchant']).toEqual({ id: 'blocked-merchant', outcome: 'force decline', hits: 2, fraudHits: 1, legitHits: 1, changedAlone: 2, errors: 0, after: { approve: 0, challenge: 0, decline: 2 } });
    // Two hits on one changed row: the change is neither rule's alone.
    expect(by['amount-cap']).toMatchObject({ outcome: 'floor challenge', hits: 2, changedAlone: 1, after: { challenge: 1, decline: 1 } });
    expect(by['blocked-user']).toMatchObject({ hits: 1, changedAlone: 0 });
    // A hit that changed nothing.
    expect(by['blocked-mcc']).toMatchObject({ hits: 1, changedAlone: 0, after: { decline: 1 } });
    expect(by['allowed-user']).toMatchObject({ hits: 2, fraudHits: 1, legitHits: 1, changedAlone: 2, after: { approve: 2 } });
  });

  it('counts a rule that failed at run time, and reports zeros (not NaN) for no rows', () => {
    const t = new BacktestTally(SET);
    expect(t.figures().totals.frictionAdded).toEqual({ count: 0, per1000Legit: 0 });
    t.add({ ...outcome('approve', 'approve', []), verdict: { decision: 'approve', hits: [], errors: ['amount-cap'] } });
    expect(t.figures().rules.find((r) => r.id === 'amount-cap')).toMatchObject({ hits: 0, errors: 1 });
  });
});
