import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURE_COUNT, FEATURE_NAMES, referenceCents, transactionTime, type Transaction } from '../../../features';
import { activationOf, compileRuleSet, listValueError, type ListEntries, type RuleInput } from '../../../src/rules/rule-set';
import { evaluateRules } from '../../../src/rules/rule-verdict';

const DEFAULT_RULES = readFileSync(join(__dirname, '../../../models/rules.json'), 'utf8');

const txn = (over: Partial<Transaction> = {}): Transaction => ({
  transactionId: 't-1',
  timestamp: '2025-03-01T10:00:00Z',
  userId: 'u-1',
  merchantId: 'm-1',
  amountMinor: 12_000,
  currency: 'EUR',
  channel: 'ecommerce',
  mcc: '5411',
  merchantCountry: 'FR',
  userCountry: 'DE',
  ...over,
});

const input = (over: Partial<RuleInput> = {}): RuleInput => ({ txn: txn(), features: new Float32Array(FEATURE_COUNT), score: 0.01, decision: 'approve', degraded: false, ...over });

const set = (rules: unknown[], lists: unknown[] = []) => compileRuleSet(JSON.stringify({ version: 'test-1', lists, rules }));

const lists = (entries: Record<string, string[]>): Record<string, ListEntries> =>
  Object.fromEntries(Object.entries(entries).map(([name, values]) => [name, new Map(values.map((v) => [v, true] as const))]));

const NO_LISTS = lists({ blocked_users: [], blocked_merchants: [], blocked_merchant_countries: [], blocked_mccs: [], allowed_users: [], review_merchants: [] });

describe('compileRuleSet', () => {
  it('compiles the committed default set: its version, a stable hash of its content, every rule', () => {
    const a = compileRuleSet(DEFAULT_RULES);
    expect(a.version).toBe('2026-12-07.1');
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.rules.map((r) => r.id)).toEqual(['blocked-user', 'blocked-merchant', 'blocked-merchant-country', 'blocked-mcc', 'allowed-user', 'merchant-under-review', 'amount-cap']);
    // Whitespace and key order do not change the hash; a changed rule does.
    expect(compileRuleSet(JSON.stringify(JSON.parse(DEFAULT_RULES))).hash).toBe(a.hash);
    expect(compileRuleSet(DEFAULT_RULES.replace('1000000.0', '2000000.0')).hash).not.toBe(a.hash);
  });

  it('refuses an invalid file naming every problem', () => {
    expect(() => compileRuleSet('{')).toThrow(/^rule set is not JSON/);
    expect(() => compileRuleSet(JSON.stringify({ version: 'x', lists: [], rules: [{ id: 'b', when: 'true', outcome: { floor: 'approve', force: 'decline' }, extra: 1 }] }))).toThrow(
      'rule set is invalid: /rules/0 must NOT have additional properties ("extra"); /rules/0/outcome must NOT have more than 1 properties; /rules/0/outcome/floor must be equal to one of the allowed values (challenge, decline)',
    );
    expect(() =>
      set([
        { id: 'a', when: 'txn.amuont > 1.0', outcome: { force: 'decline' } },
        { id: 'b', when: 'amount + 1.0', outcome: { floor: 'challenge' } },
        { id: 'a', when: 'txn.userId in lists.vip', outcome: { force: 'approve' } },
        { id: 'c', when: 'txn.channel == ', outcome: { force: 'approve' } },
      ]),
    ).toThrow(/^rule set is invalid: rule "a" is declared twice; rule "a": No such key: amuont; rule "b": the expression is a double, not a bool; rule "a": Unknown variable: lists; rule "c": /);
    expect(() => set([], [{ name: 'x', key: 'userId' }, { name: 'x', key: 'mcc' }])).toThrow('list "x" is declared twice');
    expect(() => set([], [{ name: 'x', key: 'cardNumber' }])).toThrow('/lists/0/key must be equal to one of the allowed values (userId, merchantId, merchantCountry, mcc)');
  });

  it('leaves disabled rules out', () => {
    expect(set([{ id: 'off', when: 'true', outcome: { force: 'decline' }, enabled: false }]).rules).toEqual([]);
  });
});

describe('evaluateRules', () => {
  const rules = compileRuleSet(DEFAULT_RULES);
  const run = (i: RuleInput, l = NO_LISTS) => evaluateRules(rules, activationOf(i, { ...NO_LISTS, ...l }), i.decision);

  it('passes the model decision through when nothing hits', () => {
    expect(run(input({ decision: 'challenge' }))).toEqual({ decision: 'challenge', hits: [], errors: [] });
  });

  it('a block list forces a decline, and beats an allow list', () => {
    expect(run(input(), lists({ blocked_merchants: ['m-1'] }))).toEqual({ decision: 'decline', hits: ['blocked-merchant'], errors: [] });
    expect(run(input({ decision: 'decline' }), lists({ allowed_users: ['u-1'] }))).toEqual({ decision: 'approve', hits: ['allowed-user'], errors: [] });
    expect(run(input(), lists({ allowed_users: ['u-1'], blocked_mccs: ['5411'] }))).toEqual({ decision: 'decline', hits: ['blocked-mcc', 'allowed-user'], errors: [] });
    expect(run(input(), lists({ blocked_merchant_countries: ['FR'] })).hits).toEqual(['blocked-merchant-country']);
    // An absent optional field is "": never in a list of country codes.
    expect(run(input({ txn: txn({ merchantCountry: undefined }) }), lists({ blocked_merchant_countries: ['FR'] })).hits).toEqual([]);
  });

  it('a floor raises the model decision and never lowers it; a force overrides floors', () => {
    expect(run(input(), lists({ review_merchants: ['m-1'] })).decision).toBe('challenge');
    expect(run(input({ decision: 'decline' }), lists({ review_merchants: ['m-1'] })).decision).toBe('decline');
    expect(run(input(), lists({ review_merchants: ['m-1'], allowed_users: ['u-1'] }))).toEqual({ decision: 'approve', hits: ['allowed-user', 'merchant-under-review'], errors: [] });
  });

  it('compares amounts in the reference currency at the event date\'s rate', () => {
    // EUR 10,000.01 hits the cap; the same value in JPY hits it too, a smaller one does not.
    expect(run(input({ txn: txn({ amountMinor: 1_000_001 }) })).hits).toEqual(['amount-cap']);
    const t = txn({ currency: 'JPY', amountMinor: 2_000_000 });
    const eurCents = referenceCents(t.amountMinor, t.currency, transactionTime(t));
    expect(run(input({ txn: t })).hits).toEqual(eurCents > 1_000_000 ? ['amount-cap'] : []);
    expect(eurCents).toBeGreaterThan(1_000_000);
    expect(run(input({ txn: txn({ currency: 'JPY', amountMinor: 1_000_000 }) })).hits).toEqual([]);
  });

  it('reads features by name (a missing value compares false), the score and the degraded flag', () => {
    const s = set([
      { id: 'velocity', when: 'features.user_count_1h >= 5.0', outcome: { floor: 'challenge' } },
      { id: 'not-velocity', when: '!(features.user_count_1h >= 5.0)', outcome: { floor: 'challenge' } },
      { id: 'no-model', when: '!scored && degraded', outcome: { force: 'challenge' } },
      { id: 'high-score', when: 'scored && score > 0.5', outcome: { force: 'decline' } },
    ]);
    const features = new Float32Array(FEATURE_COUNT);
    const at = FEATURE_NAMES.indexOf('user_count_1h');
    features[at] = 7;
    expect(evaluateRules(s, activationOf(input({ features }), {}), 'approve').hits).toEqual(['velocity']);
    features[at] = Number.NaN;
    expect(evaluateRules(s, activationOf(input({ features }), {}), 'approve').hits).toEqual(['not-velocity']);
    expect(evaluateRules(s, activationOf(input({ score: null, degraded: true }), {}), 'challenge')).toEqual({ decision: 'challenge', hits: ['not-velocity', 'no-model'], errors: [] });
    expect(evaluateRules(s, activationOf(input({ score: 0.9 }), {}), 'decline').hits).toEqual(['not-velocity', 'high-score']);
  });

  it('builds the features map only for a rule set that reads it, once per evaluation', () => {
    let reads = 0;
    const counted = new Proxy(new Float32Array(FEATURE_COUNT), {
      get: (target, key) => {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key) as unknown;
      },
    });
    evaluateRules(rules, activationOf(input({ features: counted }), NO_LISTS), 'approve'); // the default set names no feature
    expect(reads).toBe(0);
    const s = set([
      { id: 'a', when: 'features.user_count_1h >= 5.0', outcome: { floor: 'challenge' } },
      { id: 'b', when: 'features.user_count_1h < 0.0', outcome: { floor: 'challenge' } },
    ]);
    evaluateRules(s, activationOf(input({ features: counted }), {}), 'approve');
    expect(reads).toBe(FEATURE_COUNT);
  });

  it('a rule failing at run time counts as not hit and is reported', () => {
    const s = set([
      { id: 'div', when: 'txn.amountMinor / 0.0 > 1.0 && txn.userId.size() / 0 > 1', outcome: { force: 'decline' } },
      { id: 'ok', when: 'true', outcome: { floor: 'challenge' } },
    ]);
    expect(evaluateRules(s, activationOf(input(), {}), 'approve')).toEqual({ decision: 'challenge', hits: ['ok'], errors: ['div'] });
  });
});

describe('listValueError', () => {
  it('accepts only values a transaction field could hold', () => {
    expect(listValueError('merchantId', 'm-1')).toBeNull();
    expect(listValueError('merchantId', 'a b')).toMatch(/^must match/);
    expect(listValueError('merchantCountry', 'FR')).toBeNull();
    expect(listValueError('merchantCountry', 'XX')).toBe('must be an ISO 3166-1 alpha-2 country code');
    expect(listValueError('merchantCountry', 'fr')).toMatch(/^must match/);
    expect(listValueError('mcc', '5411')).toBeNull();
    expect(listValueError('mcc', '541')).toMatch(/^must match/);
  });
});
