import {
  emptyProfile,
  raiseTierTop,
  restoreBucket,
  SET_HORIZON_SECONDS,
  SET_NAMES,
  TIERS,
  tierTop,
  visibleBuckets,
  type CounterField,
  type EntityRole,
  type ProfileState,
  type SetName,
  type TierName,
} from '../../features';

/**
 * The Couchbase document of one entity's profile, and its pure translation to and from
 * {@link ProfileState}. No I/O.
 *
 * ```json
 * { "ls": 1700000000, "tot": 12,
 *   "top": { "m5": 5666666, "h1": 472222, "d1": 19675 },
 *   "c": { "m5": { "5666666": { "n": 2, "s": 1500, "f": 0 } }, "h1": { … }, "d1": { … } },
 *   "m": { "merchants": { "M42": 1700000000 }, "channels": { … }, "countries": { … } } }
 * ```
 *
 * Counters are keyed by bucket id (not by ring slot). A bucket is visible when `top - length < id
 * <= top` (the rule of profile-state.ts); invisible buckets and members are garbage that any
 * rewrite drops. `v` is the version and `cl` the recent claims (see couchbase-profile-update.ts).
 * `lc` is when the last change was made: a profile untouched for the store's profile TTL reads as
 * empty (expired, see {@link profileExpired}) while `v` stays, and the whole document expires
 * (Couchbase document expiry) a longer TTL after its last write.
 * Every number is an integer below 2^53 (exact in JSON).
 */
export interface ProfileDocument {
  /** lastSeen, epoch seconds; absent = never. */
  ls?: number;
  /** Lifetime transaction count. */
  tot?: number;
  /** Largest bucket id ever incremented, per tier. */
  top?: Partial<Record<TierName, number>>;
  /** Counters per tier, per bucket id (decimal string). Absent field = 0. */
  c?: Partial<Record<TierName, Record<string, Partial<Record<CounterField, number>>>>>;
  /** Set members: latest time per key. */
  m?: Partial<Record<SetName, Record<string, number>>>;
  /** Version: changes merged into the profile; absent = 0. */
  v?: number;
  /** Claims: claim → [version it was merged at, wall-clock ms it was made]. */
  cl?: Record<string, [number, number]>;
  /** Wall-clock ms of the last change; absent in documents written before it was kept (they never expire by it). */
  lc?: number;
}

/** The document key of an entity: `<prefix>u:<id>` or `<prefix>m:<id>`. */
export function couchbaseProfileKey(keyPrefix: string, role: EntityRole, id: string): string {
  return `${keyPrefix}${role === 'user' ? 'u' : 'm'}:${id}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function integer(v: unknown, where: string, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new Error(`couchbase profile ${where}: ${path} is not an integer`);
  return v;
}

function record(v: unknown, where: string, path: string): Record<string, unknown> {
  if (v === undefined) return {};
  if (!isRecord(v)) throw new Error(`couchbase profile ${where}: ${path} is not an object`);
  return v;
}

/**
 * The profile a document holds (`null` = no document = an empty profile): visible buckets go into
 * their ring slots, visible members into the sets, garbage is skipped. `where` names the entity in
 * errors. Throws an Error naming the entity and path when the document is malformed.
 */
export function decodeProfileDocument(content: unknown, where: string): ProfileState {
  const state = emptyProfile();
  if (content === null) return state;
  const doc = record(content, where, 'document');
  if (doc.ls !== undefined) state.lastSeen = integer(doc.ls, where, 'ls');
  if (doc.tot !== undefined) state.total = integer(doc.tot, where, 'tot');
  const tops = record(doc.top, where, 'top');
  const counters = record(doc.c, where, 'c');
  TIERS.forEach((tier, i) => {
    if (tops[tier.name] === undefined) return;
    const top = integer(tops[tier.name], where, `top.${tier.name}`);
    raiseTierTop(state, i, top);
    for (const [key, value] of Object.entries(record(counters[tier.name], where, `c.${tier.name}`))) {
      const id = Number(key);
      if (!Number.isSafeInteger(id) || id <= top - tier.length || id > top) continue;
      const fields = record(value, where, `c.${tier.name}.${key}`);
      const field = (name: CounterField) => (fields[name] === undefined ? 0 : integer(fields[name], where, `c.${tier.name}.${key}.${name}`));
      restoreBucket(state, i, id, field('n'), field('s'), field('f'));
    }
  });
  const members = record(doc.m, where, 'm');
  const horizon = state.lastSeen - SET_HORIZON_SECONDS;
  for (const name of SET_NAMES) {
    for (const [key, at] of Object.entries(record(members[name], where, `m.${name}`))) {
      const t = integer(at, where, `m.${name}.${key}`);
      if (t > horizon) state.sets[name].set(key, t);
    }
  }
  return state;
}

/** The document of `state`, holding only what is visible (the rest is garbage; see the module comment). */
export function encodeProfileDocument(state: ProfileState): ProfileDocument {
  const doc: ProfileDocument = { tot: state.total, top: {}, c: {}, m: {} };
  if (state.lastSeen !== Number.NEGATIVE_INFINITY) doc.ls = state.lastSeen;
  TIERS.forEach((tier, i) => {
    const top = tierTop(state, i);
    if (top === Number.NEGATIVE_INFINITY) return;
    (doc.top as Partial<Record<TierName, number>>)[tier.name] = top;
    const buckets: Record<string, Partial<Record<CounterField, number>>> = {};
    for (const [id, n, s, f] of visibleBuckets(state, i)) buckets[String(id)] = { n, s, f };
    (doc.c as NonNullable<ProfileDocument['c']>)[tier.name] = buckets;
  });
  const horizon = state.lastSeen - SET_HORIZON_SECONDS;
  for (const name of SET_NAMES) {
    const visible = [...state.sets[name]].filter(([, at]) => at > horizon);
    if (visible.length > 0) (doc.m as NonNullable<ProfileDocument['m']>)[name] = Object.fromEntries(visible);
  }
  return doc;
}

/**
 * True when the profile in a document has expired: its last change (`lc`) was `ttlMs` or more
 * before `now` (both wall-clock ms; a `ttlMs` of 0 never expires). The document's version and
 * claims stay; only the profile reads as empty. Throws naming the entity when `lc` is malformed.
 */
export function profileExpired(content: unknown, now: number, ttlMs: number, where: string): boolean {
  if (content === null || ttlMs <= 0) return false;
  const lc = record(content, where, 'document').lc;
  return lc !== undefined && now - integer(lc, where, 'lc') >= ttlMs;
}

/** The version a document holds (null = no document = 0). Throws naming the entity when malformed. */
export function documentVersion(content: unknown, where: string): number {
  if (content === null) return 0;
  const doc = record(content, where, 'document');
  return doc.v === undefined ? 0 : integer(doc.v, where, 'v');
}

/** The claims a document holds (claim → [version, made at ms]). Throws naming the entity when malformed. */
export function documentClaims(content: unknown, where: string): Map<string, readonly [number, number]> {
  const claims = new Map<string, readonly [number, number]>();
  if (content === null) return claims;
  for (const [claim, value] of Object.entries(record(record(content, where, 'document').cl, where, 'cl'))) {
    if (!Array.isArray(value) || value.length !== 2) throw new Error(`couchbase profile ${where}: cl.${claim} is not [version, time]`);
    claims.set(claim, [integer(value[0], where, `cl.${claim}[0]`), integer(value[1], where, `cl.${claim}[1]`)]);
  }
  return claims;
}
