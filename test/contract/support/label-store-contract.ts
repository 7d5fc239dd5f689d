import { formatRfc3339, type Label, type LabelSource } from '../../../features';
import { labelFraudChange, type AddLabelResult, type LabelRecord, type LabelStore, type NewLabel } from '../../../src/records/label-store';

/** One adapter's storage for one test: every `open` is a new adapter instance on the same database. */
export interface LabelStoreBackend {
  open(): Promise<LabelStore>;
  /** Closes every instance opened and deletes the storage. */
  dispose(): Promise<void>;
}

/** A label as `add` takes it, reported at `reportedAtSeconds` (epoch seconds), of a transaction of user-1 at merchant-7. */
export function labelOf(transactionId: string, source: LabelSource, label: Label, reportedAtSeconds: number): NewLabel {
  return { transactionId, source, label, reportedAt: formatRfc3339(reportedAtSeconds), reportedAtSeconds, userId: 'user-1', merchantId: 'merchant-7', eventTime: 900, client: 'analysts' };
}

const RECEIVED = '2024-05-01T12:00:00.000Z';

/** A label as stored: `fraudChange` its change after `before`, versions as given. */
function stored(l: NewLabel, receivedAt = RECEIVED, before: readonly NewLabel[] = [], versions: [number | null, number | null] = [null, null]): LabelRecord {
  return { ...l, receivedAt, fraudChange: labelFraudChange(before, l), userVersion: versions[0], merchantVersion: versions[1] };
}

/**
 * The LabelStore contract: what every adapter must do, observed through the port only. Each test
 * gets fresh storage from `backend()`.
 */
export function describeLabelStoreContract(name: string, backend: () => Promise<LabelStoreBackend>, options: { readonly skip?: boolean } = {}): void {
  (options.skip === true ? describe.skip : describe)(`LabelStore contract: ${name}`, () => {
    let db: LabelStoreBackend;
    beforeEach(async () => {
      db = await backend();
    });
    afterEach(async () => {
      await db.dispose();
    });

    test('the first label of a transaction is added, with no previous labels', async () => {
      const store = await db.open();
      const user = labelOf('t1', 'user_confirmation', 'fraud', 1_000);
      await expect(store.add(user, RECEIVED)).resolves.toEqual({ kind: 'added', record: stored(user), previous: [] });
      await expect(store.forTransaction('t1')).resolves.toEqual([stored(user)]);
      expect(stored(user).fraudChange).toBe(1);
    });

    test('a label from another source is added and returns the labels the transaction had before', async () => {
      const store = await db.open();
      const user = labelOf('t1', 'user_confirmation', 'legitimate', 1_000);
      const analyst = labelOf('t1', 'analyst', 'fraud', 2_000);
      const chargeback = labelOf('t1', 'chargeback', 'fraud', 3_000);
      await store.add(user, '2024-05-01T00:00:01.000Z');
      const userStored = stored(user, '2024-05-01T00:00:01.000Z');
      const analystStored = stored(analyst, '2024-05-01T00:00:02.000Z', [user]);
      await expect(store.add(analyst, '2024-05-01T00:00:02.000Z')).resolves.toEqual({ kind: 'added', record: analystStored, previous: [userStored] });
      await expect(store.add(chargeback, RECEIVED)).resolves.toEqual({ kind: 'added', record: stored(chargeback, RECEIVED, [user, analyst]), previous: [userStored, analystStored] });
      // Legitimate, then fraud (the analyst overrides the user), then fraud again (no change).
      expect([userStored.fraudChange, analystStored.fraudChange, stored(chargeback, RECEIVED, [user, analyst]).fraudChange]).toEqual([0, 1, 0]);
    });

    test('the same label from the same source again is a duplicate of the stored one, which is kept', async () => {
      const store = await db.open();
      const first = labelOf('t1', 'analyst', 'fraud', 1_000);
      await store.add(first, RECEIVED);
      const retry = labelOf('t1', 'analyst', 'fraud', 1_500);
      await expect(store.add(retry, '2024-06-01T00:00:00.000Z')).resolves.toEqual({ kind: 'duplicate', existing: stored(first) });
      await expect(store.forTransaction('t1')).resolves.toEqual([stored(first)]);
    });

    test('a different label from the same source is a conflict; the stored label is kept', async () => {
      const store = await db.open();
      const first = labelOf('t1', 'chargeback', 'fraud', 1_000);
      await store.add(first, RECEIVED);
      await expect(store.add(labelOf('t1', 'chargeback', 'legitimate', 2_000), RECEIVED)).resolves.toEqual({ kind: 'conflict', existing: stored(first) });
      await expect(store.forTransaction('t1')).resolves.toEqual([stored(first)]);
    });

    test('forTransaction lists a transaction’s labels in the order they were added, and nothing for others', async () => {
      const store = await db.open();
      const labels = [labelOf('t1', 'chargeback', 'fraud', 3_000), labelOf('t2', 'analyst', 'fraud', 1_000), labelOf('t1', 'user_confirmation', 'legitimate', 1_000)];
      for (const l of labels) await store.add(l, RECEIVED);
      expect((await store.forTransaction('t1')).map((l) => l.source)).toEqual(['chargeback', 'user_confirmation']);
      await expect(store.forTransaction('t9')).resolves.toEqual([]);
    });

    test('listArrived selects reportedAtSeconds in [from, to), by arrival time, then in the order added', async () => {
      const store = await db.open();
      const labels = [
        labelOf('a', 'analyst', 'fraud', 300), labelOf('b', 'analyst', 'fraud', 100), labelOf('c', 'chargeback', 'fraud', 200),
        labelOf('d', 'analyst', 'legitimate', 400), labelOf('e', 'analyst', 'fraud', 100), labelOf('f', 'analyst', 'fraud', 99),
      ];
      for (const l of labels) await store.add(l, RECEIVED);
      const arrived = await store.listArrived(100, 400);
      expect(arrived.map((l) => [l.transactionId, l.reportedAtSeconds])).toEqual([['b', 100], ['e', 100], ['c', 200], ['a', 300]]);
      expect(arrived[0]).toEqual(stored(labels[1]!));
      await expect(store.listArrived(401, 500)).resolves.toEqual([]);
    });

    test('an added label is durable: a fresh instance on the same database sees it', async () => {
      const store = await db.open();
      const l = labelOf('t1', 'analyst', 'fraud', 1_000);
      await store.add(l, RECEIVED);
      const fresh = await db.open();
      await expect(fresh.forTransaction('t1')).resolves.toEqual([stored(l)]);
      await expect(fresh.add(l, RECEIVED)).resolves.toEqual({ kind: 'duplicate', existing: stored(l) });
    });

    test('concurrent adds for one transaction serialize: one added per source, each seeing exactly the labels before it', async () => {
      const stores = [await db.open(), await db.open()];
      const sources: readonly LabelSource[] = ['user_confirmation', 'analyst', 'chargeback'];
      const ids = Array.from({ length: 8 }, (_, i) => `txn-${i}`);
      // Per transaction: every source twice with each label, interleaved across two instances (two connections).
      const attempts = ids.flatMap((id) => sources.flatMap((source, s) => (['fraud', 'legitimate', 'fraud', 'legitimate'] as const).map((label, k) => ({
        store: stores[(s + k) % 2]!, label: labelOf(id, source, label, 1_000 + s),
      }))));
      const results = await Promise.all(attempts.map((a) => a.store.add(a.label, RECEIVED)));
      for (const id of ids) {
        const final = await stores[0]!.forTransaction(id);
        expect(final.map((l) => l.source).sort()).toEqual([...sources].sort());
        const mine = results.map((r, i) => ({ r, a: attempts[i]! })).filter(({ a }) => a.label.transactionId === id);
        const added = mine.filter(({ r }) => r.kind === 'added').map(({ r }) => r as Extract<AddLabelResult, { kind: 'added' }>);
        expect(added).toHaveLength(sources.length);
        // Added in some order: the k-th add saw exactly the first k labels of the final list.
        const previousSizes = added.map((r) => r.previous.length).sort();
        expect(previousSizes).toEqual([0, 1, 2]);
        for (const r of added) expect(r.previous).toEqual(final.slice(0, r.previous.length));
        // Every other attempt names the stored label of its source: duplicate when it agrees, conflict when not.
        for (const { r, a } of mine.filter(({ r }) => r.kind !== 'added')) {
          const kept = final.find((l) => l.source === a.label.source);
          expect(r).toEqual({ kind: kept?.label === a.label.label ? 'duplicate' : 'conflict', existing: kept });
        }
      }
    });

    test('markApplied records the versions a label\'s change got; unapplied lists the changes left, not those of 0', async () => {
      const store = await db.open();
      const a = labelOf('t1', 'user_confirmation', 'fraud', 1_000);
      const b = labelOf('t2', 'chargeback', 'fraud', 2_000);
      const none = labelOf('t3', 'analyst', 'legitimate', 2_000);
      for (const l of [a, b, none]) await store.add(l, RECEIVED);
      const later = '2024-05-02T00:00:00.000Z';
      expect((await store.unapplied(later, 10)).map((u) => [u.record.transactionId, u.roles])).toEqual([['t1', ['user', 'merchant']], ['t2', ['user', 'merchant']]]);
      await expect(store.unapplied(RECEIVED, 10)).resolves.toEqual([]); // received not before
      await store.markApplied('t2', 'chargeback', 'user', 41);
      await store.markApplied('t1', 'user_confirmation', 'merchant', 7);
      await store.markApplied('t1', 'user_confirmation', 'user', 3);
      await expect(store.forTransaction('t1')).resolves.toEqual([stored(a, RECEIVED, [], [3, 7])]);
      await expect(store.listArrived(0, 10_000)).resolves.toEqual([stored(a, RECEIVED, [], [3, 7]), stored(b, RECEIVED, [], [41, null]), stored(none, RECEIVED)]);
      expect((await (await db.open()).unapplied(later, 10)).map((u) => [u.record, u.roles])).toEqual([[stored(b, RECEIVED, [], [41, null]), ['merchant']]]);
    });

    test('ping resolves while the database is up', async () => {
      const store = await db.open();
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
