import fc from 'fast-check';
import { decodeProfileDocument, couchbaseProfileKey } from '../../../src/store/couchbase-profile-document';
import { updateProfileDocument, type ProfileDocumentOps } from '../../../src/store/couchbase-profile-update';
import { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import type { ProfileUpdate } from '../../../src/store/profile-store';
import { MERCHANTS, prng, queryTransactions, scenarioArb, scenarioUpdates, shuffle, T0, txn, USERS, type ScenarioEvent } from '../../contract/support/profile-events';
import { featureDiff, visibleStateDiff } from '../../contract/support/profile-parity';
import { InMemoryProfileDocuments, type DocumentStats } from './in-memory-profile-documents';
import { transactionDelta } from '../../../features';

const noBackoff = () => Promise.resolve();
const keyOf = (u: ProfileUpdate) => couchbaseProfileKey('', u.role, u.id);

async function expectParity(docs: InMemoryProfileDocuments, updates: readonly ProfileUpdate[], events: readonly ScenarioEvent[]): Promise<void> {
  const reference = await MemoryProfileStore.create();
  reference.applySync(updates);
  for (const user of USERS) {
    for (const merchant of MERCHANTS) {
      const got = {
        user: decodeProfileDocument(docs.content(couchbaseProfileKey('', 'user', user)), user),
        merchant: decodeProfileDocument(docs.content(couchbaseProfileKey('', 'merchant', merchant)), merchant),
      };
      const want = reference.getSync(user, merchant);
      const diff = [
        ...visibleStateDiff(`user ${user}`, got.user, want.user),
        ...visibleStateDiff(`merchant ${merchant}`, got.merchant, want.merchant),
        ...queryTransactions(events, user, merchant).flatMap((q) => featureDiff(q, got, want)),
      ];
      expect(diff).toEqual([]);
    }
  }
}

function addStats(total: DocumentStats, s: DocumentStats): void {
  for (const k of Object.keys(total) as (keyof DocumentStats)[]) total[k] += s[k];
}

describe('updateProfileDocument', () => {
  it('matches the memory store (visible state, feature bits) for random streams applied one by one in any order', async () => {
    const total: DocumentStats = { reads: 0, inserts: 0, replaces: 0, increments: 0, conflicts: 0 };
    await fc.assert(
      fc.asyncProperty(scenarioArb(40), fc.integer(), async (events, seed) => {
        const updates = scenarioUpdates(events);
        const docs = new InMemoryProfileDocuments();
        for (const u of shuffle(updates, prng(seed))) await updateProfileDocument(docs, keyOf(u), u.delta, { maxAttempts: 1, backoff: noBackoff });
        await expectParity(docs, updates, events);
        addStats(total, docs.stats);
      }),
      { numRuns: 300 },
    );
    // Both write paths ran, and nothing ever raced.
    expect(total.increments).toBeGreaterThan(0);
    expect(total.replaces).toBeGreaterThan(0);
    expect(total.conflicts).toBe(0);
  });

  it('matches the memory store (visible state, feature bits) when every update races every other', async () => {
    const total: DocumentStats = { reads: 0, inserts: 0, replaces: 0, increments: 0, conflicts: 0 };
    await fc.assert(
      fc.asyncProperty(scenarioArb(40), fc.integer(), async (events, seed) => {
        const random = prng(seed);
        const updates = scenarioUpdates(events);
        const docs = new InMemoryProfileDocuments(() => new Promise((r) => (random() < 0.5 ? setImmediate(r) : r(undefined))));
        // Every writer that loses a race re-reads; one writer wins each round, so n + 1 attempts always suffice.
        const options = { maxAttempts: updates.length + 1, backoff: noBackoff };
        await Promise.all(shuffle(updates, random).map((u) => updateProfileDocument(docs, keyOf(u), u.delta, options)));
        await expectParity(docs, updates, events);
        addStats(total, docs.stats);
      }),
      { numRuns: 200 },
    );
    expect(total.conflicts).toBeGreaterThan(0);
    expect(total.increments).toBeGreaterThan(0);
  });

  it('retries a create that lost to a concurrent create, as a guarded replace', async () => {
    const docs = new InMemoryProfileDocuments(() => new Promise((r) => setImmediate(r)));
    const a = txn(1, T0 + 10);
    const b = txn(2, T0 + 20);
    const key = couchbaseProfileKey('', 'user', a.userId);
    await Promise.all([a, b].map((t) => updateProfileDocument(docs, key, transactionDelta('user', t), { maxAttempts: 3, backoff: noBackoff })));
    expect(docs.stats).toMatchObject({ inserts: 1, replaces: 1, conflicts: 1 });
    expect(decodeProfileDocument(docs.content(key), key)).toMatchObject({ lastSeen: T0 + 20, total: 2 });
  });

  it('gives up, naming the key, after maxAttempts lost races', async () => {
    const docs = new InMemoryProfileDocuments();
    await updateProfileDocument(docs, 'k', transactionDelta('user', txn(1, T0)), { maxAttempts: 1, backoff: noBackoff });
    const backoffs: number[] = [];
    const losing: ProfileDocumentOps<number> = { ...bind(docs), replace: () => Promise.resolve('conflict') };
    await expect(
      updateProfileDocument(losing, 'k', transactionDelta('user', txn(2, T0 + 60)), {
        maxAttempts: 3,
        backoff: (attempt) => {
          backoffs.push(attempt);
          return Promise.resolve();
        },
      }),
    ).rejects.toThrow('couchbase profile k: gave up after 3 conflicting concurrent writes');
    expect(backoffs).toEqual([2, 3]);
  });

  it('rejects a malformed stored document, naming the key and path', async () => {
    const ops: ProfileDocumentOps<number> = { ...bind(new InMemoryProfileDocuments()), read: () => Promise.resolve({ content: { ls: 'yesterday' }, cas: 1 }) };
    await expect(updateProfileDocument(ops, 'u:x', transactionDelta('user', txn(1, T0)), { maxAttempts: 2, backoff: noBackoff })).rejects.toThrow('couchbase profile u:x: ls is not an integer');
  });
});

function bind(docs: InMemoryProfileDocuments): ProfileDocumentOps<number> {
  return {
    read: (k) => docs.read(k),
    insert: (k, d) => docs.insert(k, d),
    replace: (k, d, c) => docs.replace(k, d, c),
    increment: (k, i) => docs.increment(k, i),
  };
}
