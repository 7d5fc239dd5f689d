import { applyDelta, emptyProfile, labelDelta, transactionDelta, type ProfileDelta, type ProfileState } from '../../../features';
import { subdocPath } from '../../../src/store/couchbase-profile-document';
import { MAX_SUBDOC_SPECS, planProfileWrite } from '../../../src/store/couchbase-write-plan';
import { T0, txn } from '../../contract/support/profile-events';

const t = T0 + 7_200; // 02:00 UTC
const first = txn(1, t, { channel: 'atm', merchantCountry: 'FR' });
const day = Math.floor(t / 86_400);

function stateAfter(...deltas: ProfileDelta[]): ProfileState {
  const p = emptyProfile();
  for (const d of deltas) applyDelta(p, d);
  return p;
}

describe('planProfileWrite', () => {
  const current = stateAfter(transactionDelta('user', first));

  it('creates a document that does not exist yet', () => {
    const plan = planProfileWrite(null, transactionDelta('user', first));
    expect(plan.kind).toBe('write');
  });

  it('increments without a read guard when only counters inside the window change (a label)', () => {
    const plan = planProfileWrite(current, labelDelta({ userId: first.userId, merchantId: first.merchantId, epochSeconds: t }, 1) as ProfileDelta);
    expect(plan).toEqual({ kind: 'increment', increments: [{ path: `c.d1.\`${day}\`.f`, by: 1 }] });
  });

  it('increments for a transaction in the same second, buckets and members as the latest one', () => {
    const path = (tier: string, id: number, field: string) => subdocPath('c', tier, String(id), field);
    const [m5, h1] = [Math.floor(t / 300), Math.floor(t / 3_600)];
    expect(planProfileWrite(current, transactionDelta('user', txn(2, t, { amountMinor: 250, channel: 'atm', merchantCountry: 'FR' })))).toEqual({
      kind: 'increment',
      increments: [
        { path: path('m5', m5, 'n'), by: 1 },
        { path: path('m5', m5, 's'), by: 250 },
        { path: path('h1', h1, 'n'), by: 1 },
        { path: path('h1', h1, 's'), by: 250 },
        { path: path('d1', day, 'n'), by: 1 },
        { path: path('d1', day, 's'), by: 250 },
        { path: 'tot', by: 1 },
      ],
    });
  });

  it.each([
    ['lastSeen rises', transactionDelta('user', txn(2, t + 1, { channel: 'atm', merchantCountry: 'FR' }))],
    ['a member is new', transactionDelta('user', txn(2, t, { channel: 'ecommerce', merchantCountry: 'FR' }))],
    ['a top rises (a label on a later day)', labelDelta({ userId: 'u', merchantId: 'm', epochSeconds: t + 86_400 }, 1) as ProfileDelta],
  ])('rewrites the document under its CAS when %s', (_why, delta) => {
    expect(planProfileWrite(current, delta).kind).toBe('write');
  });

  it('does nothing for a label on a bucket already out of every window', () => {
    const later = stateAfter(transactionDelta('merchant', first), transactionDelta('merchant', txn(2, t + 60 * 86_400)));
    expect(planProfileWrite(later, labelDelta({ userId: 'u', merchantId: 'm', epochSeconds: t }, 1) as ProfileDelta)).toEqual({ kind: 'none' });
  });

  it(`rewrites instead when more than ${MAX_SUBDOC_SPECS} increments would be needed`, () => {
    const counters = Array.from({ length: MAX_SUBDOC_SPECS + 1 }, (_, i) => ({ tier: 2, bucket: day - 1 - i, field: 'n' as const, by: 1 }));
    const wide = stateAfter({ counters: [{ tier: 2, bucket: day, field: 'n', by: 1 }], seenAt: t, total: 1, members: [] });
    expect(planProfileWrite(wide, { counters: counters.slice(0, MAX_SUBDOC_SPECS), seenAt: null, total: 0, members: [] }).kind).toBe('increment');
    expect(planProfileWrite(wide, { counters, seenAt: null, total: 0, members: [] }).kind).toBe('write');
  });

  it('rejects a delta that is not integral, whichever path it would take', () => {
    const bad: ProfileDelta = { counters: [{ tier: 2, bucket: day, field: 's', by: 0.5 }], seenAt: null, total: 0, members: [] };
    expect(() => planProfileWrite(current, bad)).toThrow(RangeError);
    expect(() => planProfileWrite(null, bad)).toThrow('profile delta: counter increment must be a safe integer, got 0.5');
  });
});
