import fc from 'fast-check';
import { applyDelta, emptyProfile, windowSum, type ProfileState } from '../../../features';
import { couchbaseProfileKey, decodeProfileDocument, encodeProfileDocument } from '../../../src/store/couchbase-profile-document';
import { MemoryProfileStore } from '../../../src/store/memory-profile-store';
import { MERCHANTS, queryTransactions, scenarioArb, scenarioUpdates, USERS, applyUpdates } from '../../contract/support/profile-events';
import { featureDiff, visibleStateDiff } from '../../contract/support/profile-parity';

const H = 90 * 86_400;

describe('couchbase profile document', () => {
  it('decodes no document as an empty profile', () => {
    const p = decodeProfileDocument(null, 'u:x');
    expect(Buffer.from(p.data.buffer)).toEqual(Buffer.from(emptyProfile().data.buffer));
    expect([p.lastSeen, p.total]).toEqual([Number.NEGATIVE_INFINITY, 0]);
  });

  it('round-trips every visible state (through JSON) for random event streams', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(40), async (events) => {
        const memory = await MemoryProfileStore.create();
        await applyUpdates(memory, scenarioUpdates(events));
        const decode = (p: ProfileState, key: string) => decodeProfileDocument(JSON.parse(JSON.stringify(encodeProfileDocument(p))) as unknown, key);
        for (const user of USERS) {
          for (const merchant of MERCHANTS) {
            const want = memory.getSync(user, merchant);
            const got = { user: decode(want.user, user), merchant: decode(want.merchant, merchant) };
            const diff = [...visibleStateDiff(user, got.user, want.user), ...visibleStateDiff(merchant, got.merchant, want.merchant)];
            for (const q of queryTransactions(events, user, merchant)) diff.push(...featureDiff(q, got, want));
            expect(diff).toEqual([]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('writes only what is visible: buckets out of the window and members beyond the horizon are collected', () => {
    const p = emptyProfile();
    applyDelta(p, { counters: [{ tier: 0, bucket: 100, field: 'n', by: 1 }, { tier: 0, bucket: 200, field: 'n', by: 2 }], seenAt: 10 * H, total: 2, members: [{ set: 'merchants', key: 'old', at: 9 * H }, { set: 'merchants', key: 'new', at: 9 * H + 1 }] });
    expect(encodeProfileDocument(p)).toEqual({ ls: 10 * H, tot: 2, top: { m5: 200 }, c: { m5: { '200': { n: 2, s: 0, f: 0 } } }, m: { merchants: { new: 9 * H + 1 } } });
  });

  it('skips garbage when decoding: buckets at or below top - length or above top, members at or beyond the horizon', () => {
    const doc = {
      ls: 10 * H,
      top: { m5: 100 },
      c: { m5: { '87': { n: 5 }, '88': { n: 1, s: 7 }, '101': { n: 9 } }, d1: { '3': { n: 4 } } },
      m: { countries: { FR: 9 * H, DE: 9 * H + 1 } },
    };
    const p = decodeProfileDocument(doc, 'u:x');
    expect([windowSum(p, 0, 'n', 0, 1_000), windowSum(p, 0, 's', 88, 88), windowSum(p, 2, 'n', -1_000, 1_000)]).toEqual([1, 7, 0]);
    expect([...p.sets.countries]).toEqual([['DE', 9 * H + 1]]);
  });

  it.each([
    [{ ls: 'yesterday' }, 'ls is not an integer'],
    [{ tot: 1.5 }, 'tot is not an integer'],
    [{ top: { m5: 5 }, c: { m5: { '5': { n: '1' } } } }, 'c.m5.5.n is not an integer'],
    [{ c: [] }, 'c is not an object'],
    [{ m: { merchants: { x: null } } }, 'm.merchants.x is not an integer'],
    ['text', 'document is not an object'],
  ])('rejects a malformed document %j, naming the entity and path', (doc, message) => {
    expect(() => decodeProfileDocument(doc, 'm:shop')).toThrow(`couchbase profile m:shop: ${message}`);
  });

  it('keys documents by role and id under the prefix', () => {
    expect([couchbaseProfileKey('p:', 'user', 'a.b'), couchbaseProfileKey('', 'merchant', 'm-1')]).toEqual(['p:u:a.b', 'm:m-1']);
  });
});
