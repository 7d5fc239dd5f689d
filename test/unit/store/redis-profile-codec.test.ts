import { applyTransaction, emptyProfile, SET_HORIZON_SECONDS, TIERS, tierTop, transactionDelta } from '../../../features';
import { decodeRedisEntity, encodeRedisDelta, encodeRedisProfile, parseRedisProfileKey, redisClaimKey, redisProfileKeys, redisVersionKey } from '../../../src/store/redis-profile-codec';
import { PROFILE_BLOB_DOUBLES } from '../../../src/store/redis-profile-scripts';
import { T0, txn } from '../../contract/support/profile-events';

describe('redis profile codec', () => {
  it('gives an entity two keys under the prefix that share the hash tag of its id', () => {
    expect(redisProfileKeys('fraud:', 'user', 'u.1')).toEqual(['fraud:u:{u.1}:p', 'fraud:u:{u.1}:set']);
    expect(redisProfileKeys('', 'merchant', 'm')).toEqual(['m:{m}:p', 'm:{m}:set']);
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

  it('round-trips a profile through the blob and member list exactly, at its version', () => {
    const state = emptyProfile();
    for (let i = 0; i < 40; i++) applyTransaction(state, 'user', txn(i, T0 + i * 5_000, { amountMinor: 100 + i, channel: 'atm', merchantCountry: i % 2 === 0 ? 'FR' : 'DE' }));
    const { blob, members } = encodeRedisProfile(state, 41);
    expect(blob.length).toBe(8 * PROFILE_BLOB_DOUBLES);
    const got = decodeRedisEntity({ blob, members: Buffer.from(members.join('\n')) }, 'user u');
    expect(got.version).toBe(41);
    expect(Buffer.from(got.state.data.buffer)).toEqual(Buffer.from(state.data.buffer));
    expect([got.state.lastSeen, got.state.total, [...got.state.sets.countries].sort()]).toEqual([state.lastSeen, 40, [['DE', T0 + 39 * 5_000], ['FR', T0 + 38 * 5_000]]]);
  });

  it('reads an empty reply as an empty profile at version 0', () => {
    const got = decodeRedisEntity({ blob: Buffer.alloc(0), members: Buffer.alloc(0) }, 'user u');
    expect([got.version, got.state.total, got.state.lastSeen, tierTop(got.state, 0)]).toEqual([0, 0, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
  });

  it.each([
    [Buffer.alloc(17), '', 'redis profile user u: 17 bytes, expected 1872'],
    [header(1.5, 0, 0), '', 'redis profile user u: malformed header (version 1.5, lastSeen 0, total 0)'],
    [header(1, Number.NaN, 0), '', 'redis profile user u: malformed header (version 1, lastSeen NaN, total 0)'],
    [Buffer.alloc(0), 'FR\n1', 'redis profile user u: malformed member FR'],
    [Buffer.alloc(0), '0:m\n1.5', 'redis profile user u: not an integer: 1.5'],
    [Buffer.alloc(0), '0:m', 'redis profile user u: members without a score'],
  ])('rejects malformed data, naming the entity (%#)', (blob, members, message) => {
    expect(() => decodeRedisEntity({ blob, members: Buffer.from(members) }, 'user u')).toThrow(message);
  });

  it('keys profiles, member sets, versions and claim windows under the entity\'s hash tag, and parses profile and version keys back', () => {
    const [p] = redisProfileKeys('fraud:', 'merchant', 'm.1');
    expect(redisClaimKey(p, 499_057)).toBe('fraud:m:{m.1}:c499057');
    expect(redisVersionKey(p)).toBe('fraud:m:{m.1}:v');
    expect(parseRedisProfileKey('fraud:', p)).toEqual({ role: 'merchant', id: 'm.1', kind: 'profile' });
    expect(parseRedisProfileKey('fraud:', redisVersionKey(p))).toEqual({ role: 'merchant', id: 'm.1', kind: 'version' });
    for (const other of ['fraud:m:{m.1}:set', 'fraud:m:{m.1}:c1', 'fraud:slot:{x}', 'other:u:{a}:p', 'fraud:u:{}:p', 'fraud:u:{}:v']) expect(parseRedisProfileKey('fraud:', other)).toBeNull();
  });

  it('reads a reply without a profile at the version its version key kept', () => {
    const { state, version } = decodeRedisEntity({ blob: Buffer.alloc(0), members: Buffer.alloc(0), version: Buffer.from('41') }, 'user u');
    expect([version, state.lastSeen, state.total]).toEqual([41, Number.NEGATIVE_INFINITY, 0]);
    // With a profile, the blob's version is the one (the version key may lag: it is written only when profiles expire).
    expect(decodeRedisEntity({ blob: header(7, 100, 1), members: Buffer.alloc(0), version: Buffer.from('3') }, 'user u').version).toBe(7);
    expect(() => decodeRedisEntity({ blob: Buffer.alloc(0), members: Buffer.alloc(0), version: Buffer.from('x') }, 'user u')).toThrow('redis profile user u: not an integer: x');
  });
});

/** A profile blob with the given header and zeros after it. */
function header(version: number, lastSeen: number, total: number): Buffer {
  const b = Buffer.alloc(8 * PROFILE_BLOB_DOUBLES);
  b.writeDoubleLE(version, 0);
  b.writeDoubleLE(lastSeen, 8);
  b.writeDoubleLE(total, 16);
  return b;
}
