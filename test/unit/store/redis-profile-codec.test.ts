import { SET_HORIZON_SECONDS, TIERS, tierTop, transactionDelta, visibleBuckets } from '../../../features';
import { decodeRedisProfile, encodeRedisDelta, redisProfileKeys } from '../../../src/store/redis-profile-codec';
import { T0, txn } from '../../contract/support/profile-events';

describe('redis profile codec', () => {
  it('gives an entity two keys under the prefix that share the hash tag of its id', () => {
    expect(redisProfileKeys('fraud:', 'user', 'u.1')).toEqual(['fraud:u:{u.1}', 'fraud:u:{u.1}:set']);
    expect(redisProfileKeys('', 'merchant', 'm')).toEqual(['m:{m}', 'm:{m}:set']);
  });

  it('encodes a transaction delta as the step script\'s delta argument: header, one group per tier, members, each value newline-terminated', () => {
    const t = T0 + 7_200;
    const argv = encodeRedisDelta(transactionDelta('user', txn(1, t, { amountMinor: 1_234, channel: 'atm' })), 3_600);
    const group = (tier: number, width: number) => {
      const id = Math.floor(t / width);
      const length = (TIERS[tier] as (typeof TIERS)[number]).length;
      return [String(tier), String(length), String(id), String(id % length), '1', '1234', '0'];
    };
    expect(argv.endsWith('\n')).toBe(true);
    expect(argv.split('\n').slice(0, -1)).toEqual([
      '3600', String(t), '1', String(SET_HORIZON_SECONDS), '3',
      ...group(0, 300), ...group(1, 3_600), ...group(2, 86_400),
      '0:m-1', String(t), '1:atm', String(t),
    ]);
  });

  it('encodes "no seenAt" as an empty argument and slots of negative ids like slotOf', () => {
    const argv = encodeRedisDelta({ counters: [{ tier: 0, bucket: -1, field: 'f', by: -1 }], seenAt: null, total: 0, members: [] }, 0);
    expect(argv.split('\n').slice(0, -1)).toEqual(['0', '', '0', String(SET_HORIZON_SECONDS), '1', '0', '13', '-1', '12', '0', '0', '-1']);
  });

  it('decodes hash and member set replies into visible buckets, tops, scalars and sets', () => {
    // The slot comes before its tier's top in the reply, and slot 0:2 holds bucket 80, out of view.
    const p = decodeRedisProfile(['0:9', '100,2,300,-1', '0:2', '80,5,5,5', 't0', '100', 'ls', '30000', 'tot', '9007199254740991'], ['2:FR', '29000', '0:m-1', '30000'], 'user u');
    expect([tierTop(p, 0), visibleBuckets(p, 0), tierTop(p, 1), visibleBuckets(p, 1)]).toEqual([100, [[100, 2, 300, -1]], Number.NEGATIVE_INFINITY, []]);
    expect([p.lastSeen, p.total, [...p.sets.countries], [...p.sets.merchants]]).toEqual([30_000, 2 ** 53 - 1, [['FR', 29_000]], [['m-1', 30_000]]]);
  });

  it.each([
    [['t7', '1'], [], 'redis profile user u: unknown field t7'],
    [['0:13', '1,1,1,1'], [], 'redis profile user u: unknown field 0:13'],
    [['0:1', '1,1,1'], [], 'redis profile user u: malformed slot 0:1 = 1,1,1'],
    [['t0', '100', '0:1', '100,1,1,1'], [], 'redis profile user u: slot 0:1 holds bucket 100'],
    [['ls', '1.5'], [], 'redis profile user u: not an integer: 1.5'],
    [['junk', '1'], [], 'redis profile user u: unknown field junk'],
    [[], ['FR', '1'], 'redis profile user u: malformed member FR'],
  ])('rejects malformed data %j %j, naming the entity', (hash, members, message) => {
    expect(() => decodeRedisProfile(hash, members, 'user u')).toThrow(message);
  });
});
