import { SET_HORIZON_SECONDS, SET_NAMES, TIERS, type EntityRole, type ProfileDelta, type ProfileState, type TierSpec } from '../../features';
// The per-slot decode calls come from their own modules: the features index re-exports through getters.
import { restoreBucket, visibleBuckets } from '../../features/profile-buckets';
import { emptyProfile, hasMember, raiseTierTop, slotOf, tierTop } from '../../features/profile-state';
import { groupIncrements } from './profile-codec';

// Hoisted: the features index re-exports through getters, too slow for the per-slot decode loop.
const TIER_LIST = TIERS;
const SET_LIST = SET_NAMES;

/**
 * Pure translation between profile deltas/states and the Redis layout documented in
 * redis-profile-scripts.ts. No I/O.
 */

/** The two keys of one entity: its hash and its member set. Both carry the hash tag `{<id>}`. */
export function redisProfileKeys(keyPrefix: string, role: EntityRole, id: string): readonly [string, string] {
  const base = `${keyPrefix}${role === 'user' ? 'u' : 'm'}:{${id}}`;
  return [base, `${base}:set`];
}

/** The claim hash of an entity (its hash key `hashKey`) for wall-clock window number `window`. */
export function redisClaimKey(hashKey: string, window: number): string {
  return `${hashKey}:c${window}`;
}

/** The role and id of an entity hash key under `keyPrefix`, or null for any other key. */
export function parseRedisProfileKey(keyPrefix: string, key: string): { readonly role: EntityRole; readonly id: string } | null {
  if (!key.startsWith(keyPrefix)) return null;
  const rest = key.slice(keyPrefix.length);
  const role = rest.startsWith('u:{') ? 'user' : rest.startsWith('m:{') ? 'merchant' : null;
  if (role === null || !rest.endsWith('}')) return null;
  const id = rest.slice(3, -1);
  return id.length === 0 || id.includes('}') ? null : { role, id };
}

/**
 * The delta argument of STEP_SCRIPT for `delta`: its values, each followed by a newline (one
 * argument instead of dozens; no value holds a newline). `ttlSeconds` 0 keeps keys forever. Throws
 * a RangeError on a delta that is not integral (see `groupIncrements`).
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

/** The flat `[field, value, …]` list a packed reply (values joined by newlines) holds. */
export function unpackRedisList(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

function integer(text: string | undefined, where: string): number {
  const v = Number(text);
  if (text === undefined || text === '' || !Number.isSafeInteger(v)) throw new Error(`redis profile ${where}: not an integer: ${String(text)}`);
  return v;
}

function decodeSlot(state: ProfileState, field: string, value: string, where: string): void {
  const colon = field.indexOf(':');
  const tierIndex = colon < 1 ? -1 : Number(field.slice(0, colon));
  const slot = Number(field.slice(colon + 1));
  const tier = TIER_LIST[tierIndex];
  if (tier === undefined || !Number.isInteger(slot) || slot < 0 || slot >= tier.length) throw new Error(`redis profile ${where}: unknown field ${field}`);
  // "id,n,s,f", parsed without split(): this runs for every stored slot on the hot path.
  const a = value.indexOf(',');
  const b = value.indexOf(',', a + 1);
  const c = value.indexOf(',', b + 1);
  if (a < 0 || b < 0 || c < 0 || value.indexOf(',', c + 1) >= 0) throw new Error(`redis profile ${where}: malformed slot ${field} = ${value}`);
  const id = integer(value.slice(0, a), where);
  // The slot must be the id's own: anything else is not data this layout can hold.
  if (slotOf(id, tier.length) !== slot) throw new Error(`redis profile ${where}: slot ${field} holds bucket ${id}`);
  restoreBucket(state, tierIndex, id, integer(value.slice(a + 1, b), where), integer(value.slice(b + 1, c), where), integer(value.slice(c + 1), where));
}

/**
 * The profile held in one entity's hash (flat `[field, value, …]`) and member set (flat
 * `[member, score, …]`); empty replies give an empty profile. `where` names the entity in errors.
 * Throws an Error naming the entity and field when the stored data is malformed.
 */
export function decodeRedisProfile(hash: readonly string[], members: readonly string[], where: string): ProfileState {
  const state = emptyProfile();
  // Tops first: a slot's bucket is restored only when visible under its tier's top.
  for (let i = 0; i + 1 < hash.length; i += 2) {
    const field = hash[i] as string;
    const value = hash[i + 1] as string;
    if (field === 'ls') state.lastSeen = integer(value, where);
    else if (field === 'tot') state.total = integer(value, where);
    else if (field === 'v') continue;
    else if (field.startsWith('t')) {
      const tierIndex = Number(field.slice(1));
      if (TIER_LIST[tierIndex] === undefined) throw new Error(`redis profile ${where}: unknown field ${field}`);
      raiseTierTop(state, tierIndex, integer(value, where));
    }
  }
  for (let i = 0; i + 1 < hash.length; i += 2) {
    const field = hash[i] as string;
    if (field !== 'ls' && field !== 'tot' && field !== 'v' && !field.startsWith('t')) decodeSlot(state, field, hash[i + 1] as string, where);
  }
  for (let i = 0; i + 1 < members.length; i += 2) {
    const member = members[i] as string;
    const colon = member.indexOf(':');
    const set = SET_LIST[Number(member.slice(0, colon))];
    if (colon < 1 || set === undefined) throw new Error(`redis profile ${where}: malformed member ${member}`);
    state.sets[set].set(member.slice(colon + 1), integer(members[i + 1], where));
  }
  return state;
}

/** The version held in an entity's hash (flat `[field, value, …]`; absent = 0). Throws on a malformed one. */
export function redisProfileVersion(hash: readonly string[], where: string): number {
  for (let i = 0; i + 1 < hash.length; i += 2) if (hash[i] === 'v') return integer(hash[i + 1], where);
  return 0;
}

/**
 * A profile as the hash fields and set members PUT_SCRIPT writes (flat pairs): what
 * {@link decodeRedisProfile} reads back as the same visible state.
 */
export function encodeRedisProfile(state: ProfileState): { readonly fields: string[]; readonly members: string[] } {
  const fields: string[] = [];
  TIER_LIST.forEach((tier, i) => {
    const top = tierTop(state, i);
    if (top === Number.NEGATIVE_INFINITY) return;
    fields.push(`t${i}`, String(top));
    for (const [id, n, s, f] of visibleBuckets(state, i)) fields.push(`${i}:${slotOf(id, tier.length)}`, `${id},${n},${s},${f}`);
  });
  if (state.lastSeen !== Number.NEGATIVE_INFINITY) fields.push('ls', String(state.lastSeen));
  if (state.total !== 0) fields.push('tot', String(state.total));
  const members: string[] = [];
  SET_LIST.forEach((name, i) => {
    for (const [key, at] of state.sets[name]) if (hasMember(state, name, key)) members.push(`${i}:${key}`, String(at));
  });
  return { fields, members };
}
