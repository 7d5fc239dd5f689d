import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceCents, transactionTime, type Transaction } from '../../features';
import { main } from '../../src/cli/fraudctl';
import { ModelRegistry } from '../../src/model/registry/model-registry';
import { compileRuleSet } from '../../src/rules/rule-set';
import { postJson, startTestService } from '../support/service';

/*
 * `fraudctl rules test`: a rule set replayed over a small simulated dataset (scored by the
 * committed champion) and over a service's decision log, with counts taken here independently
 * from the event stream and from the service's own answers.
 */

const REPO = join(__dirname, '../..');
const RULES = join(REPO, 'models/rules.json');
const REGISTRY = join(REPO, 'models');
const CAP_CENTS = 1_000_000;

function cli(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) }, isTTY: false, env: { ...process.env, MODEL_REGISTRY_DIR: REGISTRY, ...env } } as never;
  return { run: (args: string[]) => main(args, io), out, err };
}

interface RuleFigures {
  id: string;
  hits: number;
  fraudHits: number;
  legitHits: number;
  changedAlone: number;
  errors: number;
  after: Record<string, number>;
}
interface Report {
  source: Record<string, unknown>;
  lists: Record<string, number>;
  totals: {
    rows: number;
    frauds: number;
    legitimate: number;
    unlabelled: number;
    rowsHit: number;
    changed: { total: number; byChange: Record<'approve->challenge' | 'approve->decline' | 'challenge->approve' | 'challenge->decline' | 'decline->approve' | 'decline->challenge', number> };
    fraudCaught: { count: number; amountCents: number };
    frictionAdded: { count: number; per1000Legit: number };
    frictionRemoved: { count: number };
    fraudLetThrough: { count: number; amountCents: number };
  };
  rules: RuleFigures[];
  report: string;
}
const rule = (r: Report, id: string) => r.rules.find((x) => x.id === id) as RuleFigures;

/** Large payments in the test week (the simulator's stay under EUR 1,000), in several currencies, one exactly at the cap. */
const LARGE: Transaction[] = [
  { transactionId: 'large-1', timestamp: '2018-08-09T12:00:00Z', userId: 'c00001', merchantId: 'm-large-1', amountMinor: 1_500_000, currency: 'EUR', channel: 'ecommerce', mcc: '5944', merchantCountry: 'FR' },
  { transactionId: 'large-2', timestamp: '2018-08-10T12:00:00Z', userId: 'c00002', merchantId: 'm-large-2', amountMinor: CAP_CENTS, currency: 'EUR' },
  { transactionId: 'large-3', timestamp: '2018-08-11T12:00:00Z', userId: 'c00003', merchantId: 'm-large-3', amountMinor: 1_250_000, currency: 'USD' },
  { transactionId: 'large-4', timestamp: '2018-08-12T12:00:00Z', userId: 'c00004', merchantId: 'm-large-4', amountMinor: 200_000_000, currency: 'JPY' },
];

describe('fraudctl rules test --dataset', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rules-test-'));
  const events = join(dir, 'events.ndjson');
  const dataset = join(dir, 'dataset');
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  /** The champion's test window's transactions, read from the stream here. */
  let week: Transaction[];

  beforeAll(async () => {
    const sim = cli();
    expect([await sim.run(['simulate', '--out', events, '--customers', '300', '--terminals', '1500', '--days', '140', '--json']), sim.err.join('')]).toEqual([0, '']);
    // The large payments go in at their place in time.
    const lines = readFileSync(events, 'utf8').trimEnd().split('\n');
    for (const t of LARGE) {
      const at = lines.findIndex((l) => l.includes('"type":"transaction"') && (JSON.parse(l) as Transaction).timestamp > t.timestamp);
      lines.splice(at, 0, JSON.stringify({ type: 'transaction', ...t }));
    }
    writeFileSync(events, `${lines.join('\n')}\n`);
    const build = cli();
    expect([await build.run(['build-dataset', '--in', events, '--out', dataset, '--json']), build.err.join('')]).toEqual([0, '']);
    const [from, to] = [Date.parse('2018-08-08T00:00:00Z') / 1000, Date.parse('2018-08-15T00:00:00Z') / 1000];
    week = lines
      .map((l) => JSON.parse(l) as Transaction & { type: string })
      .filter((e) => e.type === 'transaction' && transactionTime(e) >= from && transactionTime(e) < to);
  }, 60_000);

  const backtest = async (lists: unknown, extra: string[] = []) => {
    const c = cli();
    const report = join(dir, `report-${Math.random().toString(36).slice(2)}.html`);
    const code = await c.run(['rules', 'test', RULES, '--dataset', dataset, '--lists', file('lists.json', lists), '--report', report, '--json', ...extra]);
    expect({ code, err: c.err.join('') }).toEqual({ code: 0, err: '' });
    return JSON.parse(c.out.join('')) as Report;
  };

  it('a blocked merchant: its rows are all hit and all declined; the amount cap hits exactly the payments above EUR 10,000', async () => {
    const byMerchant = new Map<string, number>();
    for (const t of week) byMerchant.set(t.merchantId, (byMerchant.get(t.merchantId) ?? 0) + 1);
    const [merchant, atMerchant] = [...byMerchant].sort((a, b) => b[1] - a[1])[0] as [string, number];
    expect(atMerchant).toBeGreaterThan(3);
    const large = week.filter((t) => referenceCents(t.amountMinor, t.currency, transactionTime(t)) > CAP_CENTS).length;
    expect(large).toBeGreaterThanOrEqual(2);
    expect(large).toBeLessThan(LARGE.length);

    const r = await backtest({ blocked_merchants: [merchant] });
    const champion = new ModelRegistry(REGISTRY).champion()?.metadata.version;
    expect(r.source).toMatchObject({ kind: 'dataset', model: champion, windowOf: 'champion test window', window: { from: '2018-08-08T00:00:00.000Z', to: '2018-08-15T00:00:00.000Z' } });
    expect(r.lists).toEqual({ blocked_users: 0, blocked_merchants: 1, blocked_merchant_countries: 0, blocked_mccs: 0, allowed_users: 0, review_merchants: 0 });
    expect(r.totals.rows).toBe(week.length);
    expect(rule(r, 'blocked-merchant')).toMatchObject({ hits: atMerchant, after: { approve: 0, challenge: 0, decline: atMerchant }, errors: 0 });
    expect(rule(r, 'amount-cap')).toMatchObject({ hits: large, after: { approve: 0 } });
    expect(r.rules.filter((x) => x.hits > 0).map((x) => x.id)).toEqual(['blocked-merchant', 'amount-cap']);
    // No row is hit twice here, so every change is one rule's alone.
    expect(r.totals.rowsHit).toBe(atMerchant + large);
    expect(r.totals.changed.total).toBe(rule(r, 'blocked-merchant').changedAlone + rule(r, 'amount-cap').changedAlone);
    expect(r.totals.changed.total).toBeGreaterThan(0);
    // Rules only raise decisions here: nothing moves to approve.
    expect(r.totals.frictionRemoved.count + r.totals.fraudLetThrough.count).toBe(0);
    expect(r.totals.changed.byChange['decline->approve'] + r.totals.changed.byChange['challenge->approve'] + r.totals.changed.byChange['decline->challenge']).toBe(0);
    expect(r.totals.frictionAdded.per1000Legit).toBeCloseTo((r.totals.frictionAdded.count * 1000) / r.totals.legitimate, 2);

    const html = readFileSync(r.report, 'utf8');
    expect(html).toContain('<table id="rules">');
    expect(html).toMatch(new RegExp(`<tr><th><code>blocked-merchant</code></th><td style="white-space: nowrap">force decline</td><td class="num">${atMerchant}</td>`));
    expect(html).toContain('Fraud caught');
  });

  it('with empty lists only the amount cap can hit, and only challenges what the model approved', async () => {
    const large = week.filter((t) => referenceCents(t.amountMinor, t.currency, transactionTime(t)) > CAP_CENTS).length;
    const r = await backtest({});
    expect(r.rules.filter((x) => x.hits > 0).map((x) => x.id)).toEqual(['amount-cap']);
    expect(rule(r, 'amount-cap').hits).toBe(large);
    expect(r.totals.changed.total).toBe(rule(r, 'amount-cap').changedAlone);
    expect(r.totals.changed.total).toBe(r.totals.changed.byChange['approve->challenge']);
    // A window of its own: the two days of large-1 and large-2 only.
    const narrow = await backtest({}, ['--since', '2018-08-09', '--until', '2018-08-11']);
    expect(narrow.source).toMatchObject({ windowOf: 'options', window: { from: '2018-08-09T00:00:00.000Z', to: '2018-08-11T00:00:00.000Z' } });
    expect(rule(narrow, 'amount-cap').hits).toBe(1);
  });

  it('an invalid rule set or lists file exits 2 with the reason, as JSON with --json', async () => {
    const bad = file('bad-rules.json', { version: 'bad-1', lists: [], rules: [{ id: 'typo', when: 'txn.amountMinr > 1.0', outcome: { floor: 'challenge' } }] });
    let reason = '';
    try {
      compileRuleSet(readFileSync(bad, 'utf8'));
    } catch (err) {
      reason = (err as Error).message;
    }
    expect(reason).toMatch(/^rule set is invalid: rule "typo": /);
    const c = cli();
    expect(await c.run(['rules', 'test', bad, '--dataset', dataset, '--json'])).toBe(2);
    expect(JSON.parse(c.out.join(''))).toEqual({ error: { code: 'invalid_input', message: `${bad}: ${reason}`, exitCode: 2 } });
    expect(c.err.join('')).toBe(`${bad}: ${reason}\n`);

    const lists = cli();
    expect(await lists.run(['rules', 'test', RULES, '--dataset', dataset, '--lists', file('bad-lists.json', { blocked_merchantz: ['m1'], blocked_mccs: ['54'] })])).toBe(2);
    expect(lists.err.join('')).toBe(
      `${join(dir, 'bad-lists.json')}: "blocked_merchantz" is not a list of rule set 2026-12-07.1 ` +
        '(declared: blocked_users, blocked_merchants, blocked_merchant_countries, blocked_mccs, allowed_users, review_merchants); "blocked_mccs": "54" must match ^[0-9]{4}$ (a transaction\'s mcc)\n',
    );
    const usage = cli();
    expect(await usage.run(['rules', 'test', RULES, '--json'])).toBe(2);
    expect(JSON.parse(usage.out.join(''))).toEqual({ error: { code: 'usage', message: 'give one of --dataset DIR and --decision-log', exitCode: 2 } });
  });
});

describe('fraudctl rules test --decision-log', () => {
  it('replays the service\'s decisions: a newly blocked merchant is declined, an emptied review list stops challenging', async () => {
    const svc = await startTestService({ DECISION_EVENTS: 'off' });
    const decided = new Map<string, { decision: string; merchant: string }>();
    try {
      // m-review was under review when these were decided (the set floors them at challenge).
      expect((await fetch(`${svc.url}/v1/lists/review_merchants/m-review`, { method: 'PUT' })).status).toBe(201);
      const merchants = ['m-block', 'm-block', 'm-block', 'm-review', 'm-review', 'm-plain'];
      for (const [i, merchant] of merchants.entries()) {
        const txn = { transactionId: `bt-${i}`, timestamp: `2018-09-01T10:00:0${i}Z`, userId: `u-bt-${i}`, merchantId: merchant, amountMinor: 2_500 + i, currency: 'EUR' };
        const res = await postJson(`${svc.url}/v1/score`, txn);
        expect(res.status).toBe(200);
        decided.set(txn.transactionId, { decision: res.body.decision as string, merchant });
      }
      // Small payments of new users: the model approves them; m-review's are floored at challenge by the review list.
      expect([...decided.values()].map((d) => d.decision)).toEqual(['approve', 'approve', 'approve', 'challenge', 'challenge', 'approve']);
      // One fraud at the merchant about to be blocked, one at the merchant under review.
      for (const id of ['bt-0', 'bt-3']) {
        const label = await postJson(`${svc.url}/v1/feedback`, { transactionId: id, label: 'fraud', source: 'chargeback', reportedAt: '2018-09-20T00:00:00Z' });
        expect(label.status).toBe(201);
      }
    } finally {
      await svc.close();
    }
    const lists = join(svc.dataDir, 'lists.json');
    writeFileSync(lists, JSON.stringify({ blocked_merchants: ['m-block'] }));
    const c = cli({ DATA_DIR: svc.dataDir, MODEL_REGISTRY_DIR: svc.registryDir });
    const report = join(svc.dataDir, 'backtest.html');
    const code = await c.run(['rules', 'test', RULES, '--decision-log', '--since', '2018-09-01', '--until', '2018-09-02', '--lists', lists, '--report', report, '--json']);
    expect({ code, err: c.err.join('') }).toEqual({ code: 0, err: '' });
    const r = JSON.parse(c.out.join('')) as Report;

    const champion = new ModelRegistry(svc.registryDir).champion()?.metadata.version as string;
    expect(r.source).toEqual({ kind: 'decision-log', log: 'sqlite', window: { from: '2018-09-01T00:00:00.000Z', to: '2018-09-02T00:00:00.000Z' }, models: { [champion]: 6 }, skipped: { featureSpec: 0, unknownModel: 0 } });
    expect(r.totals).toMatchObject({ rows: 6, frauds: 2, legitimate: 4, unlabelled: 4 });
    expect(rule(r, 'blocked-merchant')).toMatchObject({ hits: 3, fraudHits: 1, legitHits: 2, changedAlone: 3, after: { approve: 0, challenge: 0, decline: 3 } });
    expect(rule(r, 'merchant-under-review').hits).toBe(0);
    // bt-0..2 approve -> decline (bt-0 is fraud: caught); bt-3 and bt-4 challenge -> approve (bt-3 is fraud: let through).
    expect(r.totals.changed).toEqual({ total: 5, byChange: { 'approve->challenge': 0, 'approve->decline': 3, 'challenge->approve': 2, 'challenge->decline': 0, 'decline->approve': 0, 'decline->challenge': 0 } });
    expect(r.totals.fraudCaught).toEqual({ count: 1, amountCents: 2_500 });
    expect(r.totals.frictionAdded).toEqual({ count: 2, per1000Legit: 500 });
    expect(r.totals.frictionRemoved).toEqual({ count: 1 });
    expect(r.totals.fraudLetThrough).toEqual({ count: 1, amountCents: 2_503 });
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('decision log (sqlite)');
  }, 60_000);
});
