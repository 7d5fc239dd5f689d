import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyTransaction, emptyProfile, formatRfc3339, type EntityRole, type Transaction } from '../../../../features';
import { openSqlite } from '../../../../src/records/sqlite/sqlite-database';
import { SqliteDecisionLog } from '../../../../src/records/sqlite/sqlite-decision-log';
import { SqliteHistory } from '../../../../src/records/sqlite/sqlite-history';
import { MemoryProfileStore } from '../../../../src/store/memory-profile-store';
import type { StoredProfile } from '../../../../src/store/profile-store';
import { encodeProfile } from '../../../../src/store/profile-snapshot';
import { rebuildProfiles } from '../../../../src/training/history/rebuild-profiles';
import { decisionRecord } from '../../../contract/support/decision-records';

const T0 = Date.UTC(2024, 4, 1) / 1000;
const txn = (id: string, t: number, merchantId = 'm1'): Transaction => ({ transactionId: id, timestamp: formatRfc3339(t), userId: 'u1', merchantId, amountMinor: 700, currency: 'EUR', channel: 'atm' });

async function servedHistory() {
  const dir = mkdtempSync(join(tmpdir(), 'rebuild-'));
  const db = openSqlite(join(dir, 'fraud.db'));
  const log = new SqliteDecisionLog(db, { batchSize: 100, flushMs: 60_000, maxBuffered: 1_000, spillPath: join(dir, 'spill.ndjson') });
  // t1 merged into u1 (v1) and m1 (v1); t2's user step unanswered (pending); t3 merged into u1 at v3.
  log.append(decisionRecord('t1', T0, { transaction: txn('t1', T0), userVersion: 1, merchantVersion: 1, decidedAt: '2024-05-01T00:00:01.000Z' }));
  log.append(decisionRecord('t2', T0 + 60, { transaction: txn('t2', T0 + 60, 'm2'), userVersion: null, merchantVersion: 1, decidedAt: '2024-05-01T00:00:02.000Z' }));
  log.append(decisionRecord('t3', T0 + 120, { transaction: txn('t3', T0 + 120), userVersion: 3, merchantVersion: 2, decidedAt: '2024-05-01T00:00:03.000Z' }));
  await log.flush();
  return { log, history: new SqliteHistory(db) };
}

const NO_SEED: Record<EntityRole, ReadonlyMap<string, StoredProfile>> = { user: new Map(), merchant: new Map() };

describe('rebuildProfiles', () => {
  it('replays each entity in version order into a sink; a replay reports the break a pending change leaves', async () => {
    const { history } = await servedHistory();
    const out: StoredProfile[] = [];
    const r = await rebuildProfiles({ history, seed: NO_SEED, target: { kind: 'sink', write: (p) => void out.push(p) }, claimsSince: '2024-05-01T00:00:00.000Z', mode: 'replay' });
    expect(r).toEqual({ profiles: 3, slotsRestored: 0, assigned: 0, gaps: { count: 1, first: { role: 'user', entity: 'u1', expected: 2, found: 3 } } });
    expect(out.map((p) => [p.role, p.id, p.version, p.state.total])).toEqual([['user', 'u1', 3, 2], ['merchant', 'm1', 2, 2], ['merchant', 'm2', 1, 1]]);
  });

  it('rebuilds a store: pending changes after each entity\'s versioned ones, at the next versions, recorded in the log; claims written', async () => {
    const { log, history } = await servedHistory();
    const store = await MemoryProfileStore.create();
    const r = await rebuildProfiles({ history, seed: NO_SEED, target: { kind: 'store', admin: store, scope: 'all' }, claimsSince: '2024-05-01T00:00:00.000Z', mode: 'rebuild' });
    expect(r).toMatchObject({ profiles: 3, assigned: 1 });
    expect((await log.get('t2'))?.userVersion).toBe(4);
    // The rebuilt u1 is t1, t3 then t2, at version 4, exactly as a replay of those changes.
    const want = emptyProfile();
    for (const t of [txn('t1', T0), txn('t3', T0 + 120), txn('t2', T0 + 60, 'm2')]) applyTransaction(want, 'user', t);
    const got = await store.get('u1', 'm1');
    expect(got.userVersion).toBe(4);
    expect(encodeProfile({ role: 'user', id: 'u1', state: got.user, version: 4 })).toEqual(encodeProfile({ role: 'user', id: 'u1', state: want, version: 4 }));
    // Its claims came with it: reconciling t2's user change now finds it merged at 4.
    const [again] = await Promise.all(store.step([{ role: 'user', id: 'u1', claim: 't2', change: { kind: 'transaction', txn: txn('t2', T0 + 60, 'm2') } }]));
    expect(again?.kind === 'lost' ? 'lost' : [again?.kind, again?.appliedVersion]).toEqual(['claimed', 4]);
  });
});
