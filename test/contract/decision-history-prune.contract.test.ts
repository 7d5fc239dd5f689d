import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyDelta, applyTransaction, computeFeatures, emptyProfile, formatRfc3339, labelDelta, type EntityRole, type ProfileState, type Transaction } from '../../features';
import type { DecisionHistory } from '../../src/records/decision-history';
import type { DecisionLog } from '../../src/records/decision-log';
import type { LabelStore } from '../../src/records/label-store';
import { createPostgresDecisionLog } from '../../src/records/postgres/postgres-decision-log';
import { openPostgresHistory } from '../../src/records/postgres/postgres-history';
import { createPostgresLabelStore } from '../../src/records/postgres/postgres-label-store';
import { openSqlite } from '../../src/records/sqlite/sqlite-database';
import { SqliteDecisionLog } from '../../src/records/sqlite/sqlite-decision-log';
import { SqliteHistory } from '../../src/records/sqlite/sqlite-history';
import { SqliteLabelStore } from '../../src/records/sqlite/sqlite-label-store';
import { encodeProfile } from '../../src/store/profile-snapshot';
import type { StoredProfile } from '../../src/store/profile-store';
import { pruneHistory } from '../../src/training/history/prune-history';
import { rebuildProfiles } from '../../src/training/history/rebuild-profiles';
import { checkParity } from '../../src/training/retrain/parity-check';
import { decisionRecord } from './support/decision-records';
import { HELD_WRITES } from './support/decision-log-contract';
import { seededRandom } from '../support/seeded-random';
import { dropTestSchema, postgresAvailable, postgresTestUrl, testSchemaName } from './support/postgres-test-database';

interface Stores {
  readonly log: DecisionLog;
  readonly labels: LabelStore;
  readonly history: DecisionHistory;
  dispose(): Promise<void>;
}

async function sqliteStores(): Promise<Stores> {
  const dir = mkdtempSync(join(tmpdir(), 'prune-'));
  const db = openSqlite(join(dir, 'fraud.db'));
  const log = new SqliteDecisionLog(db, { ...HELD_WRITES, spillPath: join(dir, 'spill.ndjson') });
  return {
    log,
    labels: new SqliteLabelStore(db),
    history: new SqliteHistory(db),
    async dispose() {
      await log.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresStores(url: string): Promise<Stores> {
  const dir = mkdtempSync(join(tmpdir(), 'prune-'));
  const schema = testSchemaName();
  const log = await createPostgresDecisionLog({ connectionString: url, schema, writer: { ...HELD_WRITES, spillPath: join(dir, 'spill.ndjson') } });
  const labels = await createPostgresLabelStore({ connectionString: url, schema });
  const history = await openPostgresHistory({ connectionString: url, schema });
  return {
    log,
    labels,
    history,
    async dispose() {
      await log.close();
      await labels.close();
      await history.close();
      await dropTestSchema(url, schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const T0 = Date.UTC(2026, 0, 5) / 1000;
const W0 = Date.UTC(2026, 2, 1);
const N = 400;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * What a service does, written straight into the stores: each transaction read at its entities'
 * versions, scored on those states, merged into both (new versions); every 9th gets a chargeback
 * merged three transactions later; one decision's merchant change is left pending. Decided-at
 * times carry a few seconds of skew, as replicas' clocks do, so versions and wall-clock times are
 * not in the same order near any cut.
 */
async function serve(s: Stores): Promise<{ decidedAt: string[]; eventTime: number[]; pendingId: string }> {
  const rnd = seededRandom(7);
  const state: Record<EntityRole, Map<string, { p: ProfileState; v: number }>> = { user: new Map(), merchant: new Map() };
  const entity = (role: EntityRole, id: string) => {
    let e = state[role].get(id);
    if (e === undefined) state[role].set(id, (e = { p: emptyProfile(), v: 0 }));
    return e;
  };
  const decidedAt: string[] = [];
  const eventTime: number[] = [];
  const labelsDue: { at: number; txn: Transaction; t: number }[] = [];
  const pendingId = 'p-150';
  for (let i = 0; i < N; i++) {
    const t = T0 + i * 900;
    const txn: Transaction = {
      transactionId: i === 150 ? pendingId : `p-${i}`,
      timestamp: formatRfc3339(t),
      userId: `u${Math.floor(rnd() * 8)}`,
      merchantId: `m${Math.floor(rnd() * 5)}`,
      amountMinor: 100 + Math.floor(rnd() * 50_000),
      currency: 'EUR',
      channel: rnd() < 0.5 ? 'ecommerce' : 'card_present',
    };
    const u = entity('user', txn.userId);
    const m = entity('merchant', txn.merchantId);
    const features = computeFeatures(txn, u.p, m.p);
    const read = { user: u.v, merchant: m.v };
    applyTransaction(u.p, 'user', txn);
    u.v++;
    const pending = txn.transactionId === pendingId;
    if (!pending) {
      applyTransaction(m.p, 'merchant', txn);
      m.v++;
    }
    const skew = rnd() < 0.25 ? Math.round((rnd() - 0.5) * 6_000) : 0;
    decidedAt.push(iso(W0 + i * 1_000 + skew));
    eventTime.push(t);
    s.log.append(
      decisionRecord(txn.transactionId, t, {
        transaction: txn,
        features,
        userReadVersion: read.user,
        merchantReadVersion: read.merchant,
        userVersion: u.v,
        merchantVersion: pending ? null : m.v,
        decidedAt: decidedAt[i],
      }),
    );
    if (i % 9 === 4) labelsDue.push({ at: i + 3, txn, t });
    for (const due of labelsDue.filter((d) => d.at === i)) {
      await s.log.flush();
      const added = await s.labels.add(
        { transactionId: due.txn.transactionId, label: 'fraud', source: 'chargeback', reportedAt: formatRfc3339(due.t + 3_000), reportedAtSeconds: due.t + 3_000, userId: due.txn.userId, merchantId: due.txn.merchantId, eventTime: due.t, client: 'chargebacks' },
        iso(W0 + i * 1_000 + 500),
      );
      if (added.kind !== 'added') throw new Error(`label ${due.txn.transactionId}: ${added.kind}`);
      const delta = labelDelta({ userId: due.txn.userId, merchantId: due.txn.merchantId, epochSeconds: due.t }, added.record.fraudChange);
      for (const role of ['user', 'merchant'] as const) {
        const e = entity(role, role === 'user' ? due.txn.userId : due.txn.merchantId);
        if (delta !== null) applyDelta(e.p, delta);
        e.v++;
        await s.labels.markApplied(due.txn.transactionId, 'chargeback', role, e.v);
      }
    }
  }
  await s.log.flush();
  return { decidedAt, eventTime, pendingId };
}

const NO_SEED: Record<EntityRole, ReadonlyMap<string, StoredProfile>> = { user: new Map(), merchant: new Map() };

/** Every profile a replay of the history gives, as canonical snapshot lines. */
async function replayed(history: DecisionHistory): Promise<string[]> {
  const out: string[] = [];
  await rebuildProfiles({ history, seed: NO_SEED, target: { kind: 'sink', write: (p) => void out.push(JSON.stringify(encodeProfile(p))) }, claimsSince: iso(W0), mode: 'replay' });
  return out;
}

function describePrune(name: string, open: () => Promise<Stores>, options: { skip?: boolean } = {}) {
  (options.skip === true ? describe.skip : describe)(`retention of the ${name} decision log`, () => {
    let s: Stores;
    beforeEach(async () => {
      s = await open();
    });
    afterEach(async () => {
      await s.dispose();
    });

    it('prunes old records behind per-entity checkpoints: every replayed profile and every later read stay exact', async () => {
      const { decidedAt, eventTime, pendingId } = await serve(s);
      const before = await replayed(s.history);
      const cutIndex = 260;
      const cut = decidedAt[cutIndex] as string;
      const readsFrom = { from: eventTime[cutIndex + 10] as number, to: T0 + N * 900 };
      const parityBefore = await checkParity({ history: s.history, seed: NO_SEED, window: readsFrom, before: null });
      expect(parityBefore).toMatchObject({ mismatches: 0, gaps: { count: 0 } });

      const result = await pruneHistory({ history: s.history, seed: NO_SEED, cut, chunk: 37 });
      expect(result.broken).toBe(0);
      expect(result.checkpoints.user).toBe(8);
      expect(result.checkpoints.merchant).toBe(5);
      // Most of what was decided before the cut is gone; what skew or the pending change keeps is few.
      expect(result.deleted.decisions).toBeGreaterThan(cutIndex - 30);
      expect(result.deleted.decisions).toBeLessThan(cutIndex);
      expect(result.deleted.labels).toBeGreaterThan(20);
      const left = await s.log.list({ fromEpochSeconds: 0, toEpochSeconds: 1e12 });
      const decidedBeforeCut = decidedAt.filter((at) => at < cut).length;
      expect(left.filter((d) => d.decidedAt < cut).length).toBe(decidedBeforeCut - result.deleted.decisions);
      expect(await s.log.get(pendingId)).not.toBeNull();
      expect(await s.log.get('p-0')).toBeNull();
      expect(left.filter((d) => d.decidedAt >= cut)).toHaveLength(N - decidedBeforeCut);

      // A replay from the checkpoints gives every profile exactly as the full history did.
      expect(await replayed(s.history)).toEqual(before);
      const parityAfter = await checkParity({ history: s.history, seed: NO_SEED, window: readsFrom, before: null });
      expect(parityAfter).toMatchObject({ checked: parityBefore.checked, mismatches: 0, gaps: { count: 0 } });

      // Again at the same cut: nothing new to checkpoint or delete.
      expect(await pruneHistory({ history: s.history, seed: NO_SEED, cut })).toEqual({ checkpoints: { user: 0, merchant: 0 }, broken: 0, deleted: { decisions: 0, labels: 0 } });
      // A later cut moves the checkpoints forward and still changes no replay.
      const later = await pruneHistory({ history: s.history, seed: NO_SEED, cut: decidedAt[330] as string });
      expect(later.deleted.decisions).toBeGreaterThan(40);
      expect(await replayed(s.history)).toEqual(before);
    });

    it('keeps an entity whose history before the cut has a break, and says so', async () => {
      const t = T0;
      const txn = (id: string, userId: string): Transaction => ({ transactionId: id, timestamp: formatRfc3339(t), userId, merchantId: 'm', amountMinor: 500, currency: 'EUR', channel: 'card_present' });
      // u-broken's version 2 is missing (a change still to be reconciled elsewhere).
      s.log.append(decisionRecord('b1', t, { transaction: txn('b1', 'u-broken'), userReadVersion: 0, merchantReadVersion: 0, userVersion: 1, merchantVersion: 1, decidedAt: iso(W0) }));
      s.log.append(decisionRecord('b3', t, { transaction: txn('b3', 'u-broken'), userReadVersion: 2, merchantReadVersion: 1, userVersion: 3, merchantVersion: 2, decidedAt: iso(W0 + 1_000) }));
      await s.log.flush();
      const r = await pruneHistory({ history: s.history, seed: NO_SEED, cut: iso(W0 + 60_000) });
      expect(r.broken).toBe(1);
      expect(r.checkpoints).toEqual({ user: 0, merchant: 1 });
      expect(r.deleted.decisions).toBe(0);
      expect((await s.log.list({ fromEpochSeconds: 0, toEpochSeconds: 1e12 })).map((d) => d.transactionId)).toEqual(['b1', 'b3']);
    });
  });
}

const url = postgresTestUrl();
describePrune('SQLite', sqliteStores);
describePrune('PostgreSQL', () => postgresStores(url), { skip: !postgresAvailable(url) });
