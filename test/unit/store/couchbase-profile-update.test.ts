import { couchbaseProfileKey, decodeProfileDocument, documentClaims, documentVersion, profileExpired, type ProfileDocument } from '../../../src/store/couchbase-profile-document';
import { documentProfile, stepProfileDocument, type ProfileDocumentOps, type StepOptions } from '../../../src/store/couchbase-profile-update';
import type { EntityOp } from '../../../src/store/profile-store';
import { T0, txn } from '../../contract/support/profile-events';
import { InMemoryProfileDocuments } from './in-memory-profile-documents';

const noBackoff = () => Promise.resolve();

function options(over: Partial<StepOptions> = {}): StepOptions {
  return { maxAttempts: 3, backoff: noBackoff, claimWindowMs: 60_000, maxClaims: 1_000, now: () => 1_000_000, ...over };
}

function op(i: number, t = T0 + i): EntityOp {
  const x = txn(i, t);
  return { role: 'user', id: x.userId, claim: x.transactionId, change: { kind: 'transaction', txn: x } };
}

function bind(docs: InMemoryProfileDocuments): ProfileDocumentOps<number> {
  return { read: (k) => docs.read(k), insert: (k, d) => docs.insert(k, d), replace: (k, d, c) => docs.replace(k, d, c) };
}

// The step's results against concurrent clients are the contract suite's (couchbase on documents);
// here: how it races, gives up, fails, and what it keeps in a document.
describe('stepProfileDocument', () => {
  it('retries a create that lost to a concurrent create as a guarded replace, reading the state it merges into', async () => {
    const docs = new InMemoryProfileDocuments(() => new Promise((r) => setImmediate(r)));
    const key = couchbaseProfileKey('', 'user', 'u.1');
    const [a, b] = await Promise.all([stepProfileDocument(docs, key, op(1), options()), stepProfileDocument(docs, key, op(2), options())]);
    expect(docs.stats).toMatchObject({ inserts: 1, replaces: 1, conflicts: 1 });
    const summary = [a, b].map((o) => (o.kind === 'lost' ? 'lost' : [o.kind, o.version, o.appliedVersion, o.state?.total]));
    expect(summary.sort()).toEqual([['applied', 0, 1, 0], ['applied', 1, 2, 1]]);
    expect(decodeProfileDocument(docs.content(key), key)).toMatchObject({ lastSeen: T0 + 2, total: 2 });
    expect(documentVersion(docs.content(key), key)).toBe(2);
  });

  it('gives up, naming the key, after maxAttempts lost races', async () => {
    const docs = new InMemoryProfileDocuments();
    await stepProfileDocument(docs, 'k', op(1), options({ maxAttempts: 1 }));
    const backoffs: number[] = [];
    const losing: ProfileDocumentOps<number> = { ...bind(docs), replace: () => Promise.resolve('conflict') };
    const backoff = (attempt: number) => {
      backoffs.push(attempt);
      return Promise.resolve();
    };
    await expect(stepProfileDocument(losing, 'k', op(2), options({ backoff }))).rejects.toThrow('couchbase profile k: gave up after 3 conflicting concurrent writes');
    expect(backoffs).toEqual([2, 3]);
  });

  it('rejects a malformed stored document, naming the key and path', async () => {
    for (const [content, message] of [
      [{ ls: 'yesterday' }, 'couchbase profile u:x: ls is not an integer'],
      [{ v: 1.5 }, 'couchbase profile u:x: v is not an integer'],
      [{ cl: { t1: [1] } }, 'couchbase profile u:x: cl.t1 is not [version, time]'],
    ] as const) {
      const ops: ProfileDocumentOps<number> = { ...bind(new InMemoryProfileDocuments()), read: () => Promise.resolve({ content, cas: 1 }) };
      await expect(stepProfileDocument(ops, 'u:x', op(1), options())).rejects.toThrow(message);
    }
  });

  it('keeps claims for the claim window and at most maxClaims of them, the newest', async () => {
    const docs = new InMemoryProfileDocuments();
    let now = 1_000_000;
    const o = options({ maxClaims: 3, claimWindowMs: 10_000, now: () => now });
    for (let i = 1; i <= 5; i++) await stepProfileDocument(docs, 'k', op(i), o);
    expect([...documentClaims(docs.content('k'), 'k').keys()].sort()).toEqual(['t3', 't4', 't5']);
    now += 10_001;
    await stepProfileDocument(docs, 'k', op(6), o);
    expect([...documentClaims(docs.content('k'), 'k')]).toEqual([['t6', [6, now]]]);
    // A claim still held is not merged again.
    const again = await stepProfileDocument(docs, 'k', op(6), o);
    expect(again.kind === 'lost' ? 'lost' : [again.kind, again.appliedVersion, again.version]).toEqual(['claimed', 6, 6]);
    expect(documentVersion(docs.content('k'), 'k')).toBe(6);
  });

  it('stamps each change\'s time; a profile unchanged for profileTtlMs reads as empty at its version, and the next change continues from there', async () => {
    const docs = new InMemoryProfileDocuments();
    let now = 1_000_000;
    const o = options({ now: () => now, profileTtlMs: 5_000 });
    for (let i = 1; i <= 3; i++) await stepProfileDocument(docs, 'k', op(i), o);
    expect((docs.content('k') as ProfileDocument).lc).toBe(now);
    now += 4_999;
    expect(documentProfile(docs.content('k'), 'k', now, 5_000).total).toBe(3);
    now += 1;
    expect(documentProfile(docs.content('k'), 'k', now, 5_000).lastSeen).toBe(Number.NEGATIVE_INFINITY);
    expect(documentProfile(docs.content('k'), 'k', now, 0).total).toBe(3);
    const next = await stepProfileDocument(docs, 'k', op(4), o);
    expect(next.kind === 'lost' ? 'lost' : [next.kind, next.version, next.appliedVersion, next.state?.total]).toEqual(['applied', 3, 4, 0]);
    expect(decodeProfileDocument(docs.content('k'), 'k')).toMatchObject({ lastSeen: T0 + 4, total: 1 });
    // Documents written before `lc` existed never expire by it; a malformed one is refused.
    expect(profileExpired({ v: 2 }, now, 1, 'k')).toBe(false);
    expect(() => profileExpired({ lc: 'x' }, now, 1, 'k')).toThrow('couchbase profile k: lc is not an integer');
  });
});
