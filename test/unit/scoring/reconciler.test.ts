import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatRfc3339, type Transaction } from '../../../features';
import { openSqlite } from '../../../src/records/sqlite/sqlite-database';
import { SqliteDecisionLog } from '../../../src/records/sqlite/sqlite-decision-log';
import { SqliteLabelStore } from '../../../src/records/sqlite/sqlite-label-store';
import { Reconciler } from '../../../src/scoring/reconciler';
import { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import type { EntityOp, EntityOutcome, ProfileStore } from '../../../src/store/profile-store';
import { createServiceMetrics } from '../../../src/telemetry/metrics';
import { decisionRecord } from '../../contract/support/decision-records';

const T0 = Date.UTC(2024, 4, 1) / 1000;

function parts() {
  const dir = mkdtempSync(join(tmpdir(), 'reconcile-'));
  const db = openSqlite(join(dir, 'fraud.db'));
  const decisionLog = new SqliteDecisionLog(db, { batchSize: 100, flushMs: 60_000, maxBuffered: 1_000, spillPath: join(dir, 'spill.ndjson') });
  const labels = new SqliteLabelStore(db);
  return { decisionLog, labels, metrics: createServiceMetrics({ defaultMetrics: false }) };
}

const txn = (id: string, over: Partial<Transaction> = {}): Transaction => ({ transactionId: id, timestamp: formatRfc3339(T0), userId: 'u1', merchantId: 'm1', amountMinor: 500, currency: 'EUR', ...over });

describe('Reconciler', () => {
  it('finds in the logs the changes nobody merged (a crashed replica\'s), merges each once and records its versions', async () => {
    const { decisionLog, labels, metrics } = parts();
    const store = await MemoryProfileStore.create();
    // A replica scored t1 with both steps unanswered, and t2 with its merchant step unanswered, then died.
    const t1 = txn('t1');
    const t2 = txn('t2', { merchantId: 'm2' });
    decisionLog.append(decisionRecord('t1', T0, { transaction: t1, userVersion: null, merchantVersion: null, decidedAt: '2024-05-01T00:00:00.000Z' }));
    await Promise.all(store.step([{ role: 'user', id: 'u1', claim: 't2', change: { kind: 'transaction', txn: t2 } }]));
    decisionLog.append(decisionRecord('t2', T0, { transaction: t2, userVersion: 1, merchantVersion: null, decidedAt: '2024-05-01T00:00:00.000Z' }));
    await decisionLog.flush();
    const added = await labels.add({ transactionId: 't1', source: 'chargeback', label: 'fraud', reportedAt: formatRfc3339(T0 + 60), reportedAtSeconds: T0 + 60, userId: 'u1', merchantId: 'm1', eventTime: T0, client: 'chargebacks' }, '2024-05-01T00:01:00.000Z');
    expect(added.kind).toBe('added');
    const reconciler = new Reconciler({ store, decisionLog, labels, metrics, wallClock: () => Date.parse('2024-05-02T00:00:00Z'), onError: (what, err) => { throw new Error(`${what}: ${String(err)}`); } });
    await reconciler.scan();
    expect(reconciler.pending()).toBe(5); // t1 user + merchant, t2 merchant, the label's user + merchant
    await reconciler.drain();
    expect(reconciler.pending()).toBe(0);
    const [r1, r2] = [await decisionLog.get('t1'), await decisionLog.get('t2')];
    expect([r1?.merchantVersion, r2?.userVersion, r2?.merchantVersion]).toEqual([1, 1, 1]);
    // u1 got t2 (version 1, merged before), then t1 and the label in some order: versions 2 and 3.
    expect([r1?.userVersion, (await labels.forTransaction('t1'))[0]?.userVersion].sort()).toEqual([2, 3]);
    const profiles = await store.get('u1', 'm1');
    expect([profiles.userVersion, profiles.merchantVersion, profiles.user.total]).toEqual([3, 2, 2]);
    // Scanning again finds nothing; merging again would change nothing (claims).
    await reconciler.scan();
    expect(reconciler.pending()).toBe(0);
    await reconciler.stop();
  });

  it('retries while the store fails or refuses, backing off, and leaves the records untouched until it answers', async () => {
    const { decisionLog, labels, metrics } = parts();
    const inner = await MemoryProfileStore.create();
    let mode: 'fail' | 'lost' | 'ok' = 'fail';
    const store: ProfileStore = {
      kind: 'redis',
      step: (ops: readonly EntityOp[]): Promise<EntityOutcome>[] =>
        mode === 'ok' ? inner.step(ops) : ops.map(() => (mode === 'lost' ? Promise.resolve({ kind: 'lost' } as const) : Promise.reject(new Error('down')))),
      get: (u, m) => inner.get(u, m),
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    decisionLog.append(decisionRecord('t1', T0, { transaction: txn('t1'), userVersion: null, merchantVersion: null }));
    await decisionLog.flush();
    const reconciler = new Reconciler({ store, decisionLog, labels, metrics, wallClock: Date.now, onError: () => undefined, options: { retryMs: 5, maxRetryMs: 20 } });
    reconciler.decision(txn('t1'), 'user');
    reconciler.decision(txn('t1'), 'user'); // the same change twice is one job
    await reconciler.drain();
    mode = 'lost';
    await reconciler.drain();
    expect([reconciler.pending(), (await decisionLog.get('t1'))?.userVersion]).toEqual([1, null]);
    mode = 'ok';
    for (let i = 0; i < 100 && reconciler.pending() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect([reconciler.pending(), (await decisionLog.get('t1'))?.userVersion]).toEqual([0, 1]);
    expect(await metrics.registry.getSingleMetricAsString('fraud_profile_reconciled_total')).toContain('fraud_profile_reconciled_total{kind="decision",outcome="applied"} 1');
    await reconciler.stop();
  });
});
