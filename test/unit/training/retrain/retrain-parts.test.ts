import type Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeFeatures, FEATURE_NAMES, formatRfc3339, labelDelta, transactionTime, type EntityRole, type Transaction } from '../../../../features';
import type { DecisionRecord } from '../../../../src/records/decision-record';
import { openSqlite } from '../../../../src/records/sqlite/sqlite-database';
import { SqliteDecisionLog } from '../../../../src/records/sqlite/sqlite-decision-log';
import { SqliteHistory } from '../../../../src/records/sqlite/sqlite-history';
import { SqliteLabelStore } from '../../../../src/records/sqlite/sqlite-label-store';
import { MemoryProfileStore } from '../../../../src/store/memory-profile-store';
import { labelClaim, type EntityOutcome, type StoredProfile } from '../../../../src/store/profile-store';
import { checkParity } from '../../../../src/training/retrain/parity-check';
import { loadServedParts } from '../../../../src/training/retrain/served-dataset';

const T0 = Date.UTC(2018, 5, 1) / 1000;
const DAY = 86_400;
const NO_SEED: Record<EntityRole, ReadonlyMap<string, StoredProfile>> = { user: new Map(), merchant: new Map() };

function txn(i: number, t: number, userId = `u${i % 2}`): Transaction {
  return { transactionId: `t${i}`, timestamp: formatRfc3339(t), userId, merchantId: 'm1', amountMinor: 1_000 + i, currency: 'EUR' };
}

/**
 * A service's history written the way the service writes it: steps on a real memory store (in
 * whatever per-entity order a test chooses), the vector from the states the steps read, the record
 * with their versions, labels with theirs. On a SQLite log and label store (a temp file).
 */
class History {
  readonly db: Database.Database = openSqlite(join(mkdtempSync(join(tmpdir(), 'parity-')), 'fraud.db'));
  readonly log = new SqliteDecisionLog(this.db, { batchSize: 1_000, flushMs: 60_000, maxBuffered: 100_000, spillPath: join(tmpdir(), `spill-${Math.random()}.ndjson`) });
  readonly labels = new SqliteLabelStore(this.db);
  readonly history = new SqliteHistory(this.db);
  private readonly store = MemoryProfileStore.create();

  /** Steps `t` on its user and merchant; `order` decides which entity's step runs first (they interleave with other transactions' when split). */
  async step(t: Transaction, role: EntityRole): Promise<EntityOutcome> {
    const store = await this.store;
    const [outcome] = await Promise.all(store.step([{ role, id: role === 'user' ? t.userId : t.merchantId, claim: t.transactionId, change: { kind: 'transaction', txn: t } }]));
    return outcome as EntityOutcome;
  }

  /** Logs the decision of `t` from its two step outcomes (null: that profile was not read, as on a store timeout). */
  record(t: Transaction, user: EntityOutcome | null, merchant: EntityOutcome | null, over: Partial<DecisionRecord> = {}): DecisionRecord {
    const read = (o: EntityOutcome | null) => (o === null || o.kind === 'lost' ? null : o);
    const [u, m] = [read(user), read(merchant)];
    const r: DecisionRecord = {
      transactionId: t.transactionId, transaction: t, eventTime: transactionTime(t), features: computeFeatures(t, u?.state ?? null, m?.state ?? null), featureSpecHash: 's', contributions: null, rules: null,
      score: 0.1, decision: 'approve', modelVersion: 'v', shadow: null, degraded: u === null || m === null,
      degradedReasons: u === null || m === null ? ['profile_store_timeout'] : [], latencyMs: 1, decidedAt: '2024-01-01T00:00:00.000Z', client: 'test', servedBy: null,
      userReadVersion: u?.version ?? null, merchantReadVersion: m?.version ?? null, userVersion: u?.appliedVersion ?? null, merchantVersion: m?.appliedVersion ?? null,
      ...over,
    };
    this.log.append(r);
    return r;
  }

  /** Both steps, user first, then the record. */
  async transaction(t: Transaction, over: Partial<DecisionRecord> = {}): Promise<DecisionRecord> {
    return this.record(t, await this.step(t, 'user'), await this.step(t, 'merchant'), over);
  }

  /** A label's change, committed and merged into both profiles as the feedback service does. */
  async label(t: Transaction, source: 'chargeback' | 'user_confirmation' | 'analyst', at: number, value: 'fraud' | 'legitimate' = 'fraud'): Promise<void> {
    const added = await this.labels.add(
      { transactionId: t.transactionId, source, label: value, reportedAt: formatRfc3339(at), reportedAtSeconds: at, userId: t.userId, merchantId: t.merchantId, eventTime: transactionTime(t), client: 'test' },
      '2024-01-01T00:00:00.000Z',
    );
    if (added.kind !== 'added') throw new Error(added.kind);
    const delta = labelDelta({ userId: t.userId, merchantId: t.merchantId, epochSeconds: transactionTime(t) }, added.record.fraudChange);
    if (delta === null) return;
    const store = await this.store;
    for (const role of ['user', 'merchant'] as const) {
      const [o] = await Promise.all(store.step([{ role, id: role === 'user' ? t.userId : t.merchantId, claim: labelClaim(source, t.transactionId), change: { kind: 'delta', delta } }]));
      if (o !== undefined && o.kind !== 'lost') await this.labels.markApplied(t.transactionId, source, role, o.appliedVersion);
    }
  }

  async parity(window = { from: T0, to: T0 + 40 * DAY }) {
    await this.log.flush();
    return checkParity({ history: this.history, seed: NO_SEED, window, before: null });
  }
}

/** 20 transactions of two users at one merchant, a day apart, a chargeback for t2 arriving before t10. */
async function faithful(): Promise<History> {
  const h = new History();
  for (let i = 0; i < 20; i++) {
    const t = txn(i, T0 + i * DAY);
    if (i === 10) await h.label(txn(2, T0 + 2 * DAY), 'chargeback', T0 + i * DAY - 1);
    await h.transaction(t);
  }
  return h;
}

describe('retrain parity check', () => {
  it('reproduces every logged vector of a faithful history, label-based features included', async () => {
    const h = await faithful();
    expect(await h.parity()).toEqual({ checked: 20, mismatches: 0, mismatchRate: 0, first: null, examples: [], degraded: { total: 0, byReason: {} }, gaps: { count: 0, first: null } });
    const t11 = await h.log.get('t11');
    expect(t11?.features[FEATURE_NAMES.indexOf('merchant_known_frauds_30d')]).toBe(1);
  });

  it('is exact when replicas interleave entities in orders no single sequence has (user A then B, merchant B then A)', async () => {
    const h = new History();
    const a = txn(1, T0, 'u1');
    const b = txn(2, T0 + 60, 'u1');
    const ua = await h.step(a, 'user');
    const ub = await h.step(b, 'user');
    const mb = await h.step(b, 'merchant');
    const ma = await h.step(a, 'merchant');
    h.record(a, ua, ma);
    h.record(b, ub, mb);
    // A saw no user history but the merchant's B; B saw the user's A but no merchant history.
    const [ra, rb] = [await h.log.get('t1'), await h.log.get('t2')];
    expect([ra?.features[FEATURE_NAMES.indexOf('user_count_1h')], ra?.features[FEATURE_NAMES.indexOf('merchant_count_1h')]]).toEqual([0, 1]);
    expect([rb?.features[FEATURE_NAMES.indexOf('user_count_1h')], rb?.features[FEATURE_NAMES.indexOf('merchant_count_1h')]]).toEqual([1, 0]);
    expect(await h.parity()).toMatchObject({ checked: 2, mismatches: 0, gaps: { count: 0 } });
  });

  it('reproduces a duplicate\'s vector read at the state after its own claimed change', async () => {
    const h = new History();
    const t = txn(1, T0, 'u1');
    await h.step(t, 'user');
    await h.step(t, 'merchant');
    // The duplicate found both claims taken: it read the current states, after the change.
    h.record(t, await h.step(t, 'user'), await h.step(t, 'merchant'));
    const r = await h.log.get('t1');
    expect([r?.userReadVersion, r?.userVersion, r?.features[FEATURE_NAMES.indexOf('user_count_1h')]]).toEqual([1, 1, 1]);
    expect(await h.parity()).toMatchObject({ checked: 1, mismatches: 0 });
  });

  it('names the first differing feature and transaction of a vector the service would not reproduce', async () => {
    const h = new History();
    for (let i = 0; i < 5; i++) await h.transaction(txn(i, T0 + i * 3_600), i === 3 ? { features: Float32Array.from(computeFeatures(txn(i, T0 + i * 3_600), null, null), (v, j) => (j === 0 ? v + 1 : v)) } : {});
    const p = await h.parity();
    expect(p).toMatchObject({ checked: 5, mismatches: 1, examples: ['t3'], first: { transactionId: 't3', feature: 'amount', logged: Math.fround(11.03), replayed: Math.fround(10.03) } });
  });

  it('excludes and counts vectors served with a profile unread; their changes still count in the history', async () => {
    const h = new History();
    await h.transaction(txn(0, T0));
    const t1 = txn(1, T0 + 60);
    await h.step(t1, 'user');
    h.record(t1, null, await h.step(t1, 'merchant')); // the user step timed out (merged, version unknown to the record)
    const p = await h.parity();
    expect(p).toMatchObject({ checked: 1, mismatches: 0, degraded: { total: 1, byReason: { profile_store_timeout: 1 } } });
  });

  it('reports a break in an entity\'s history (a change the log does not know) and the vectors read after it', async () => {
    const h = new History();
    await h.transaction(txn(0, T0, 'u0'));
    await h.step(txn(1, T0 + 1, 'u0'), 'user'); // merged, but its decision was never logged
    await h.step(txn(1, T0 + 1, 'u0'), 'merchant');
    await h.transaction(txn(2, T0 + 2, 'u0'));
    const p = await h.parity();
    expect(p.gaps).toEqual({ count: 2, first: { role: 'user', entity: 'u0', expected: 2, found: 3 } });
    expect(p).toMatchObject({ checked: 2, mismatches: 1, examples: ['t2'] });
  });
});

describe('served training parts', () => {
  it('streams each window\'s vectors with the labels known at asOf, resolved by precedence', async () => {
    const h = await faithful();
    const at = (d: number) => T0 + d * DAY;
    await h.label(txn(5, at(5)), 'user_confirmation', at(6));
    await h.label(txn(5, at(5)), 'analyst', at(8), 'legitimate'); // the analyst beats the user
    await h.label(txn(7, at(7)), 'chargeback', at(21)); // arrives after asOf: unknown
    await h.log.flush();
    const windows = [{ from: at(0), to: at(10) }, { from: at(10), to: at(15) }, { from: at(15), to: at(20) }];
    const parts = await loadServedParts(h.history, { windows, asOf: at(20), specHash: 's', cols: FEATURE_NAMES.length, keepUserIds: [false, false, true] });
    expect(parts.map((p) => p.rows)).toEqual([10, 5, 5]);
    expect(Array.from(parts[0]?.labels ?? [])).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(parts[2]?.eventTime ?? [])).toEqual([15, 16, 17, 18, 19].map(at));
    expect(parts[2]?.userId).toEqual(['u1', 'u0', 'u1', 'u0', 'u1']);
    expect(parts[0]?.userId).toBeNull();
    const t4 = await h.log.get('t4');
    expect(Array.from(parts[0]?.data.subarray(4 * FEATURE_NAMES.length, 5 * FEATURE_NAMES.length) ?? [])).toEqual(Array.from(t4?.features ?? []));
  });

  it('leaves out a challenged or declined payment nobody labelled (it never completed, so no chargeback could come), and keeps a labelled one', async () => {
    const h = new History();
    const at = (d: number) => T0 + d * DAY;
    await h.transaction(txn(0, at(0)));
    await h.transaction(txn(1, at(1)), { decision: 'decline', score: 0.97 }); // no label: unknown outcome
    await h.transaction(txn(2, at(2)), { decision: 'challenge', score: 0.6 }); // the owner answered "me"
    await h.transaction(txn(3, at(3)), { decision: 'challenge', score: 0.7 }); // the owner answered "not me"
    await h.transaction(txn(4, at(4)), { decision: 'challenge', score: 0.8 }); // answered only after asOf
    await h.transaction(txn(5, at(5)));
    await h.label(txn(2, at(2)), 'user_confirmation', at(2) + 60, 'legitimate');
    await h.label(txn(3, at(3)), 'user_confirmation', at(3) + 60);
    await h.label(txn(4, at(4)), 'user_confirmation', at(9));
    await h.log.flush();
    const [part] = await loadServedParts(h.history, { windows: [{ from: at(0), to: at(6) }], asOf: at(8), specHash: 's', cols: FEATURE_NAMES.length, keepUserIds: [true] });
    expect(part?.userId).toEqual(['u0', 'u0', 'u1', 'u1']);
    expect(Array.from(part?.eventTime ?? [])).toEqual([0, 2, 3, 5].map(at));
    expect(Array.from(part?.labels ?? [])).toEqual([0, 0, 1, 0]);
    expect(part?.heldUnlabeled).toBe(2);
    expect(part?.rows).toBe(4);
  });
});
