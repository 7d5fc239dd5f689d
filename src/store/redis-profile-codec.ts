import { emptyProfile, hasMember, PROFILE_DATA_LENGTH, SET_HORIZON_SECONDS, SET_NAMES, slotOf, TIERS, type EntityRole, type ProfileDelta, type ProfileState, type TierSpec } from '../../features';
import { groupIncrements } from './profile-codec';
import { PROFILE_BLOB_DOUBLES } from './redis-profile-scripts';

// Hoisted: the features index re-exports through getters, too slow for per-step loops.
const TIER_LIST = TIERS;
const SET_LIST = SET_NAMES;
const DATA_BYTES = PROFILE_DATA_LENGTH * 8;
const BLOB_BYTES = PROFILE_BLOB_DOUBLES * 8;

/**
 * Pure translation between profile deltas/states and the Redis layout documented in
 * redis-profile-scripts.ts. No I/O.
 */

/** The two keys of one entity: its profile and its member set. Both carry the hash tag `{<id>}`. */
export function redisProfileKeys(keyPrefix: string, role: EntityRole, id: string): readonly [string, string] {
  const base = `${keyPrefix}${role === 'user' ? 'u' : 'm'}:{${id}}`;
  return [`${base}:p`, `${base}:set`];
}

/** The claim hash of an entity (its profile key `profileKey`) for wall-clock window number `window`. */
export function redisClaimKey(profileKey: string, window: number): string {
  return `${profileKey.slice(0, -2)}:c${window}`;
}

/** The version key of an entity (its profile key `profileKey`): its version, kept after the profile expired. */
export function redisVersionKey(profileKey: string): string {
  return `${profileKey.slice(0, -2)}:v`;
}

/**
 * The role and id of an entity's profile key (`…:p`) under `keyPrefix`, or of its version key
 * (`…:v`) with `kind` 'version'; null for any other key.
 */
export function parseRedisProfileKey(keyPrefix: string, key: string): { readonly role: EntityRole; readonly id: string; readonly kind: 'profile' | 'version' } | null {
  if (!key.startsWith(keyPrefix)) return null;
  const kind = key.endsWith('}:p') ? 'profile' : key.endsWith('}:v') ? 'version' : null;
  if (kind === null) return null;
  const rest = key.slice(keyPrefix.length, -2);
  const role = rest.startsWith('u:{') ? 'user' : rest.startsWith('m:{') ? 'merchant' : null;
  if (role === null) return null;
  const id = rest.slice(3, -1);
  return id.length === 0 || id.includes('}') ? null : { role, id, kind };
}

/**
 * The delta argument of STEP_SCRIPT for `delta`: its values, each followed by a newline (one
 * argument instead of dozens; no value holds a newline). `ttlSeconds`: the profile's expiry (0 =
 * never). Throws a RangeError on a delta that is not integral (see `groupIncrements`).
 */
export function encodeRedisDelta(delta: ProfileDelta, ttlSeconds: number): string {
  const groups = groupIncrements(delta);
  let text = `${ttlSeconds}\n${delta.seenAt === null ? '' : delta.seenAt}\n${delta.total}\n${SET_HORIZON_SECONDS}\n${groups.length}\n`;
  for (const g of groups) {
    const length = (TIER_LIST[g.tier] as TierSpec).length;
    text += `${g.tier}\n${length}\n${g.bucket}\n${slotOf(g.bucket, length)}\n${g.n}\n${g.s}\n${g.f}\n`;
  }
  for (const m of delta.members) text += `${SET_LIST.indexOf(m.set)}:${m.key}\n${m.at}\n`;
  return text;
}

/**
 * An entity as a step or a read returns it: its profile blob (empty: none) and its members joined
 * by newlines; a read also its version key (empty: none), which counts when the blob expired.
 */
export interface RedisEntityReply {
  readonly blob: Buffer;
  readonly members: Buffer;
  readonly version?: Buffer;
}

function integer(text: string | undefined, where: string): number {
  const v = Number(text);
  if (text === undefined || text === '' || !Number.isSafeInteger(v)) throw new Error(`redis profile ${where}: not an integer: ${String(text)}`);
  return v;
}

/**
 * The profile and version an entity reply holds (an empty blob: an empty profile at the version
 * key's version, 0 without one). The blob's data is copied as is (it is `ProfileState.data`,
 * written only by the scripts); its header, the version key and the members are checked. Throws an
 * Error naming the entity when they are malformed.
 */
export function decodeRedisEntity(reply: RedisEntityReply, where: string): { readonly state: ProfileState; readonly version: number } {
  const state = emptyProfile();
  const kept = reply.version;
  let version = kept === undefined || kept.length === 0 ? 0 : integer(kept.toString('latin1'), where);
  const blob = reply.blob;
  if (blob.length > 0) {
    if (blob.length !== BLOB_BYTES) throw new Error(`redis profile ${where}: ${blob.length} bytes, expected ${BLOB_BYTES}`);
    version = blob.readDoubleLE(0);
    const lastSeen = blob.readDoubleLE(8);
    const total = blob.readDoubleLE(16);
    if (!Number.isSafeInteger(version) || version < 0 || !Number.isSafeInteger(total) || !(lastSeen === Number.NEGATIVE_INFINITY || Number.isSafeInteger(lastSeen))) {
      throw new Error(`redis profile ${where}: malformed header (version ${version}, lastSeen ${lastSeen}, total ${total})`);
    }
    state.lastSeen = lastSeen;
    state.total = total;
    new Uint8Array(state.data.buffer, state.data.byteOffset, DATA_BYTES).set(blob.subarray(24, 24 + DATA_BYTES));
  }
  if (reply.members.length > 0) {
    const members = reply.members.toString('utf8').split('\n');
    for (let i = 0; i + 1 < members.length; i += 2) {
      const member = members[i] as string;
      const colon = member.indexOf(':');
      const set = SET_LIST[Number(member.slice(0, colon))];
      if (colon < 1 || set === undefined) throw new Error(`redis profile ${where}: malformed member ${member}`);
      state.sets[set].set(member.slice(colon + 1), integer(members[i + 1], where));
    }
    if (members.length % 2 !== 0) throw new Error(`redis profile ${where}: members without a score`);
  }
  return { state, version };
}

/**
 * A profile as PUT_SCRIPT writes it: the blob of `state` at `version`, and its visible set members
 * as flat (member, score) pairs. What {@link decodeRedisEntity} reads back as the same visible state.
 */
export function encodeRedisProfile(state: ProfileState, version: number): { readonly blob: Buffer; readonly members: string[] } {
  const blob = Buffer.alloc(BLOB_BYTES);
  blob.writeDoubleLE(version, 0);
  blob.writeDoubleLE(state.lastSeen, 8);
  blob.writeDoubleLE(state.total, 16);
  Buffer.from(state.data.buffer, state.data.byteOffset, DATA_BYTES).copy(blob, 24);
  const members: string[] = [];
  SET_LIST.forEach((name, i) => {
    for (const [key, at] of state.sets[name]) if (hasMember(state, name, key)) members.push(`${i}:${key}`, String(at));
  });
  return { blob, members };
}
