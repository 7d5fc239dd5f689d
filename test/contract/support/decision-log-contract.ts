import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecisionLog } from '../../../src/records/decision-log';
import type { PostgresWriterOptions } from '../../../src/records/postgres/postgres-decision-log';
import { appendAll, bytesOf, comparable, decisionRecord } from './decision-records';
import { waitFor } from './wait-for';

/** Writer settings of one adapter instance; a backend fills in what a test leaves out (and the spill path). */
export type TestWriterOptions = Partial<PostgresWriterOptions>;

/** One adapter's storage for one test: every `open` is a new adapter instance on the same database. */
export interface DecisionLogBackend {
  open(writer?: TestWriterOptions): Promise<DecisionLog>;
  /** Closes every instance opened and deletes the storage. */
  dispose(): Promise<void>;
}

/**
 * Writes are held back (large batch, long flush interval) so a test decides when they happen.
 * Backends use these unless a test overrides them.
 */
export const HELD_WRITES = { batchSize: 1_000, flushMs: 60_000, maxBuffered: 100_000, retryMs: 10 } as const;

/**
 * The DecisionLog contract: what every adapter must do, observed through the port only. Each test
 * gets fresh storage from `backend()`.
 */
export function describeDecisionLogContract(name: string, backend: () => Promise<DecisionLogBackend>, options: { readonly skip?: boolean } = {}): void {
  (options.skip === true ? describe.skip : describe)(`DecisionLog contract: ${name}`, () => {
    let db: DecisionLogBackend;
    beforeEach(async () => {
      db = await backend();
    });
    afterEach(async () => {
      await db.dispose();
    });

    test('get sees an appended record before the flush, and reads the same record from storage after it', async () => {
      const log = await db.open();
      const r = decisionRecord('t-1', 1_700_000_000);
      log.append(r);
      expect(log.pending()).toBe(1);
      expect(comparable((await log.get('t-1'))!)).toEqual(comparable(r));
      await log.flush();
      expect(log.pending()).toBe(0);
      expect(comparable((await log.get('t-1'))!)).toEqual(comparable(r));
      const fresh = await db.open();
      expect(comparable((await fresh.get('t-1'))!)).toEqual(comparable(r));
    });

    test('get answers null for a transaction never appended', async () => {
      const log = await db.open();
      await expect(log.get('nope')).resolves.toBeNull();
    });

    test('flush makes records durable: a fresh instance on the same database lists them', async () => {
      const log = await db.open();
      appendAll(log, [decisionRecord('a', 100), decisionRecord('b', 101)]);
      const fresh = await db.open();
      await expect(fresh.list({ fromEpochSeconds: 0, toEpochSeconds: 1_000 })).resolves.toEqual([]);
      await log.flush();
      expect((await fresh.list({ fromEpochSeconds: 0, toEpochSeconds: 1_000 })).map((d) => d.transactionId)).toEqual(['a', 'b']);
    });

    test('close flushes what was appended', async () => {
      const log = await db.open();
      appendAll(log, [decisionRecord('a', 100), decisionRecord('b', 101), decisionRecord('c', 102)]);
      await log.close();
      const fresh = await db.open();
      expect((await fresh.list({ fromEpochSeconds: 0, toEpochSeconds: 1_000 })).map((d) => d.transactionId)).toEqual(['a', 'b', 'c']);
    });

    test('a second record for a transactionId is ignored, within one batch: the first wins', async () => {
      const log = await db.open();
      const first = decisionRecord('dup', 100, { decision: 'decline', score: 0.9 });
      appendAll(log, [first, decisionRecord('dup', 100, { decision: 'approve', score: 0.1 })]);
      expect(comparable((await log.get('dup'))!)).toEqual(comparable(first));
      await log.flush();
      const fresh = await db.open();
      expect(comparable((await fresh.get('dup'))!)).toEqual(comparable(first));
      expect(await fresh.list({ fromEpochSeconds: 0, toEpochSeconds: 1_000 })).toHaveLength(1);
    });

    test('a second record for a transactionId is ignored, across batches: the first wins', async () => {
      const log = await db.open();
      const first = decisionRecord('dup', 100, { decision: 'challenge' });
      log.append(first);
      await log.flush();
      log.append(decisionRecord('dup', 100, { decision: 'approve' }));
      await log.flush();
      const fresh = await db.open();
      expect(comparable((await fresh.get('dup'))!)).toEqual(comparable(first));
      expect(await fresh.list({ fromEpochSeconds: 0, toEpochSeconds: 1_000 })).toHaveLength(1);
    });

    test('list selects event times in [from, to) in append order (seq ascending), across batches', async () => {
      const log = await db.open({ batchSize: 2 });
      const times: [string, number][] = [['a', 300], ['b', 100], ['c', 200], ['d', 400], ['e', 100], ['f', 399], ['g', 99]];
      appendAll(log, times.map(([id, t]) => decisionRecord(id, t)));
      await log.flush();
      const listed = await log.list({ fromEpochSeconds: 100, toEpochSeconds: 400 });
      expect(listed.map((d) => d.transactionId)).toEqual(['a', 'b', 'c', 'e', 'f']);
      expect(listed.map((d) => d.eventTime)).toEqual([300, 100, 200, 100, 399]);
      const seqs = listed.map((d) => d.seq);
      expect(seqs.every((s, i) => Number.isSafeInteger(s) && (i === 0 || s > (seqs[i - 1] ?? Infinity)))).toBe(true);
      await expect(log.list({ fromEpochSeconds: 401, toEpochSeconds: 500 })).resolves.toEqual([]);
      await expect(log.list({ fromEpochSeconds: 200, toEpochSeconds: 200 })).resolves.toEqual([]);
    });

    test('features keep their exact float32 bytes (NaN payloads, -0, infinities, subnormals) and scores their exact doubles', async () => {
      const features = new Float32Array(9);
      const bits = new Uint32Array(features.buffer);
      features.set([0.1, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, NaN]);
      bits[7] = 0x7fc00123; // a NaN with a payload
      bits[8] = 0xffc00000; // a negative NaN
      const r = decisionRecord('exact', 100, { features, score: 0.1 + 0.2, latencyMs: 1 / 3, shadow: { version: 'm-2', score: 1e-300 } });
      const log = await db.open();
      log.append(r);
      await log.flush();
      const fresh = await db.open();
      const [got] = await fresh.list({ fromEpochSeconds: 100, toEpochSeconds: 101 });
      expect(got).toBeDefined();
      expect(bytesOf(got!.features).equals(bytesOf(features))).toBe(true);
      expect(got!.features).toBeInstanceOf(Float32Array);
      expect(Object.is(got!.score, 0.30000000000000004)).toBe(true);
      expect(Object.is(got!.latencyMs, 1 / 3)).toBe(true);
      expect(got!.shadow).toEqual({ version: 'm-2', score: 1e-300 });
    });

    test('nullable, shadow and degraded fields round-trip', async () => {
      const noModel = decisionRecord('n', 100, {
        score: null, modelVersion: null, decision: 'challenge', degraded: true, degradedReasons: ['no_model', 'profile_store_timeout'],
      });
      const shadowed = decisionRecord('s', 101, { decision: 'decline', score: 0.97, shadow: { version: 'm-2', score: 0.5 } });
      const log = await db.open();
      appendAll(log, [noModel, shadowed]);
      await log.flush();
      const fresh = await db.open();
      expect((await fresh.list({ fromEpochSeconds: 0, toEpochSeconds: 1_000 })).map(comparable)).toEqual([comparable(noModel), comparable(shadowed)]);
      expect(comparable((await fresh.get('n'))!)).toEqual(comparable(noModel));
    });

    test('pending counts records appended and not yet durable', async () => {
      const log = await db.open();
      expect(log.pending()).toBe(0);
      appendAll(log, [decisionRecord('a', 1), decisionRecord('b', 2), decisionRecord('c', 3)]);
      expect(log.pending()).toBe(3);
      await log.flush();
      expect(log.pending()).toBe(0);
      log.append(decisionRecord('d', 4));
      expect(log.pending()).toBe(1);
    });

    test('writes happen in the background once a batch fills or the flush interval passes', async () => {
      const log = await db.open({ batchSize: 2, flushMs: 20 });
      const fresh = await db.open();
      appendAll(log, [decisionRecord('a', 1), decisionRecord('b', 2), decisionRecord('c', 3)]);
      await waitFor('the background writes', () => log.pending() === 0);
      expect((await fresh.list({ fromEpochSeconds: 0, toEpochSeconds: 10 })).map((d) => d.transactionId)).toEqual(['a', 'b', 'c']);
    });

    test('profile versions round-trip, unknown ones as null', async () => {
      const log = await db.open();
      const read = decisionRecord('read', 100, { userReadVersion: 2 ** 40, merchantReadVersion: 0, userVersion: 2 ** 40 + 1, merchantVersion: 1 });
      const unread = decisionRecord('unread', 101, { userReadVersion: null, merchantReadVersion: 7, userVersion: null, merchantVersion: 8, degraded: true, degradedReasons: ['profile_store_timeout'] });
      appendAll(log, [read, unread]);
      await log.flush();
      const fresh = await db.open();
      expect((await fresh.list({ fromEpochSeconds: 0, toEpochSeconds: 1_000 })).map(comparable)).toEqual([comparable(read), comparable(unread)]);
    });

    test('setAppliedVersions records versions where none is, once the record is stored; unapplied lists what is left', async () => {
      const log = await db.open();
      const r = decisionRecord('late', 100, { userVersion: null, merchantVersion: null, decidedAt: '2024-05-01T12:00:00.000Z' });
      const other = decisionRecord('other', 101, { userVersion: null, merchantVersion: null, decidedAt: '2024-05-01T12:00:00.000Z' });
      log.append(r);
      log.append(other);
      await expect(log.setAppliedVersions([{ transactionId: 'late', role: 'user', version: 5 }])).resolves.toEqual([false]); // still buffered
      await log.flush();
      expect(await log.unapplied('2024-05-01T12:00:01.000Z', 10)).toEqual([
        { transaction: r.transaction, roles: ['user', 'merchant'] },
        { transaction: other.transaction, roles: ['user', 'merchant'] },
      ]);
      await expect(log.unapplied('2024-05-01T12:00:00.000Z', 10)).resolves.toEqual([]); // decided not before
      await expect(log.unapplied('2024-05-01T12:00:01.000Z', 1)).resolves.toHaveLength(1);
      await expect(
        log.setAppliedVersions([
          { transactionId: 'late', role: 'user', version: 5 },
          { transactionId: 'never', role: 'user', version: 1 },
          { transactionId: 'other', role: 'user', version: 2 },
          { transactionId: 'other', role: 'merchant', version: 3 },
        ]),
      ).resolves.toEqual([true, false, true, true]);
      // Stored already: the first version stays.
      await expect(log.setAppliedVersions([{ transactionId: 'late', role: 'user', version: 6 }])).resolves.toEqual([true]);
      expect(await log.unapplied('2024-05-02T00:00:00.000Z', 10)).toEqual([{ transaction: r.transaction, roles: ['merchant'] }]);
      await expect(log.setAppliedVersions([{ transactionId: 'late', role: 'merchant', version: 9 }])).resolves.toEqual([true]);
      await expect(log.unapplied('2024-05-02T00:00:00.000Z', 10)).resolves.toEqual([]);
      const fresh = await db.open();
      expect([(await fresh.get('late'))?.userVersion, (await fresh.get('late'))?.merchantVersion, (await fresh.get('other'))?.merchantVersion]).toEqual([5, 9, 3]);
    });

    test('hasHistory: false for an empty log, true once a record with a profile version is there', async () => {
      const log = await db.open();
      await expect(log.hasHistory()).resolves.toBe(false);
      log.append(decisionRecord('unread', 100, { userReadVersion: null, merchantReadVersion: null, userVersion: null, merchantVersion: null }));
      await log.flush();
      await expect((await db.open()).hasHistory()).resolves.toBe(false);
      log.append(decisionRecord('read', 101));
      await log.flush();
      await expect((await db.open()).hasHistory()).resolves.toBe(true);
    });

    test('commit resolves once the record is stored, with the record stored for its id (a shared log: the first committed)', async () => {
      const one = await db.open({ batchSize: 1, flushMs: 1 });
      const two = await db.open({ batchSize: 1, flushMs: 1 });
      const mine = decisionRecord('c-1', 100, { decision: 'decline' });
      await expect(one.commit(mine)).resolves.toBe(mine);
      expect(comparable((await (await db.open()).get('c-1'))!)).toEqual(comparable(mine));
      if (one.getSync !== undefined) return; // a local log has one writer (its DATA_DIR lock): no other replica to race
      const theirs = decisionRecord('c-1', 100, { decision: 'approve', score: 0.01 });
      expect(comparable(await two.commit(theirs))).toEqual(comparable(mine));
      // Concurrent commits of one id from two instances: both get the one stored.
      const [a, b] = await Promise.all([one.commit(decisionRecord('c-2', 101, { score: 0.2 })), two.commit(decisionRecord('c-2', 101, { score: 0.3 }))]);
      expect(comparable(a)).toEqual(comparable(b));
      expect([0.2, 0.3]).toContain(a.score);
    });

    test('commit stays pending until the record is durable; persist makes it durable in the spill file, which the next instance replays', async () => {
      const spillPath = join(mkdtempSync(join(tmpdir(), 'persist-')), 'spill.ndjson');
      const log = await db.open({ spillPath });
      const r = decisionRecord('p-1', 100, { decision: 'challenge' });
      let committed: unknown = null;
      void log.commit(r).then((stored) => (committed = stored));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(committed).toBeNull(); // held writes: nothing committed yet
      let durable = false;
      void log.durable('p-1').then(() => (durable = true));
      await log.persist();
      await waitFor('the commit to resolve', () => committed !== null);
      expect(committed).toBe(r);
      expect(durable).toBe(true);
      expect(readFileSync(spillPath, 'utf8')).toContain('p-1');
      // A crash now (no flush, no close): the next instance on the same spill file writes the record.
      const next = await db.open({ spillPath, flushMs: 1 });
      await next.flush();
      expect(comparable((await (await db.open()).get('p-1'))!)).toEqual(comparable(r));
    });

    test('ping resolves while the database is up', async () => {
      const log = await db.open();
      await expect(log.ping()).resolves.toBeUndefined();
    });
  });
}
