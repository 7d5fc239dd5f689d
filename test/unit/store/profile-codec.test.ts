import fc from 'fast-check';
import { applyDelta, emptyProfile, type ProfileDelta } from '../../../features';
import { combineDeltas, groupIncrements } from '../../../src/store/profile-codec';
import { MERCHANTS, queryTransactions, scenarioArb, scenarioUpdates } from '../../contract/support/profile-events';
import { featureDiff, visibleStateDiff } from '../../contract/support/profile-parity';

const delta = (over: Partial<ProfileDelta>): ProfileDelta => ({ counters: [], seenAt: null, total: 0, members: [], ...over });

describe('groupIncrements', () => {
  it('sums increments per tier and bucket, in order of first appearance, keeping zero sums', () => {
    const d = delta({
      counters: [
        { tier: 1, bucket: 7, field: 'n', by: 1 },
        { tier: 0, bucket: 7, field: 's', by: 30 },
        { tier: 1, bucket: 7, field: 's', by: 20 },
        { tier: 1, bucket: 7, field: 'f', by: 1 },
        { tier: 1, bucket: 7, field: 'f', by: -1 },
      ],
    });
    expect(groupIncrements(d)).toEqual([
      { tier: 1, bucket: 7, n: 1, s: 20, f: 0 },
      { tier: 0, bucket: 7, n: 0, s: 30, f: 0 },
    ]);
  });

  it.each([
    [delta({ counters: [{ tier: 3, bucket: 1, field: 'n', by: 1 }] }), 'profile delta: unknown tier index 3'],
    [delta({ counters: [{ tier: 0, bucket: 1.5, field: 'n', by: 1 }] }), 'profile delta: bucket id must be a safe integer, got 1.5'],
    [delta({ counters: [{ tier: 0, bucket: 1, field: 's', by: 2 ** 53 }] }), 'profile delta: counter increment must be a safe integer, got 9007199254740992'],
    [delta({ counters: [{ tier: 0, bucket: 1, field: 's', by: 2 ** 52 }, { tier: 0, bucket: 1, field: 's', by: 2 ** 52 }] }), 'profile delta: summed s increment of bucket 1 must be a safe integer'],
    [delta({ seenAt: Number.NaN }), 'profile delta: seenAt must be a safe integer, got NaN'],
    [delta({ total: 0.5 }), 'profile delta: total must be a safe integer, got 0.5'],
    [delta({ members: [{ set: 'merchants', key: 'm', at: Infinity }] }), 'profile delta: member time of merchants/m must be a safe integer, got Infinity'],
  ])('rejects %j with a RangeError', (d, message) => {
    expect(() => groupIncrements(d)).toThrow(RangeError);
    expect(() => groupIncrements(d)).toThrow(message);
  });
});

describe('combineDeltas', () => {
  it('has the effect of applying every delta, for random streams of one entity', () => {
    fc.assert(
      fc.property(scenarioArb(30), (events) => {
        const updates = scenarioUpdates(events).filter((u) => u.role === 'merchant' && u.id === MERCHANTS[0]);
        const one = emptyProfile();
        for (const u of updates) applyDelta(one, u.delta);
        const combined = emptyProfile();
        if (updates.length > 0) applyDelta(combined, combineDeltas(updates.map((u) => u.delta)));
        const diff = visibleStateDiff('merchant', combined, one);
        for (const q of queryTransactions(events, 'nobody', MERCHANTS[0])) diff.push(...featureDiff(q, { user: one, merchant: combined }, { user: one, merchant: one }));
        expect(diff).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
