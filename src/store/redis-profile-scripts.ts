import { PROFILE_DATA_LENGTH, RING_OFFSET, TIERS, TOP_OFFSET } from '../../features';

/**
 * The Lua scripts of the Redis profile store. Each touches one entity's keys only, all carrying the
 * entity's hash tag, so each runs atomically on one Redis Cluster node. The layout they share with
 * redis-profile-codec.ts, per entity:
 *
 * - string `<prefix><u|m>:{<id>}:p`, the profile: {@link PROFILE_BLOB_DOUBLES} little-endian doubles,
 *   version, lastSeen (-Infinity = never), total, then exactly `ProfileState.data` (each tier's top,
 *   then its ring of n, s and f counters; features/profile-state.ts). One value read and written
 *   per step, and decoded by a copy, where a hash with a field per ring slot would cost Redis a
 *   field per slot and the client a string per field (docs/performance.md).
 * - sorted set `…:set`: member `<set index>:<key>`, score = the member's latest time `at`.
 * - claim hashes `…:c<k>`: claim → version it was merged at, for claims made while the wall clock
 *   was in window number k (ms / window); each expires two windows after its last write. A step
 *   looks at windows k-1, k and k+1 (replicas' clocks may differ by up to a window).
 * - string `…:v`, the version alone, written with each change when the profile expires: the
 *   profile and its member set expire together a TTL after their last change (long enough that
 *   nothing of them is visible to any event still admitted, see redis-profile-store.ts), the
 *   version key a longer TTL after it, so an entity that comes back after its profile expired
 *   reads as new but continues its version numbering. Without a profile TTL none is written (the
 *   blob's version is the one), except by PUT_SCRIPT.
 * - the slot's sentinel (see redis-slot-sentinels.ts): a step refuses to run without it.
 *
 * Counters are doubles: integers below 2^53 (bucket ids, epoch seconds, counters) are exact, in
 * Lua and in the blob, and are formatted with `%.0f` where they become text (never `tostring`,
 * which rounds to 14 digits).
 */

/** Doubles in a profile blob: version, lastSeen, total, then the profile's data. */
export const PROFILE_BLOB_DOUBLES = 3 + PROFILE_DATA_LENGTH;

/** Lua constants of the layout, generated from features/ (1-based indexes into the unpacked blob). */
const LAYOUT = `
local N = ${PROFILE_BLOB_DOUBLES}
local FMT = '<' .. string.rep('d', N)
local TOP = {${TIERS.map((_, i) => 4 + TOP_OFFSET + i).join(', ')}}
local RING = {${RING_OFFSET.map((r) => 4 + r).join(', ')}}
local LEN = {${TIERS.map((t) => t.length).join(', ')}}
local NEG = -math.huge
`;

/**
 * The profile as a Lua array (`load`), the merge of one `ProfileDelta` into it (`merge`, the rule
 * of features/profile-state.ts: ids at or below top - length are dropped; a rising top zeroes the
 * slots of the ids it brings into view; lastSeen is a max register; total adds; members keep their
 * max time with `ZADD GT` (Redis >= 6.2), and members at or below lastSeen - horizon are deleted),
 * and the delta's values (`values`: each followed by a newline).
 */
const MERGE = `${LAYOUT}
local function int(x) return string.format('%.0f', x) end
local function values(text)
  local out = {}
  for v in string.gmatch(text, '([^\\n]*)\\n') do out[#out + 1] = v end
  return out
end
local function load(blob)
  if blob then
    local d = {struct.unpack(FMT, blob)}
    d[N + 1] = nil
    return d
  end
  local d = {0, NEG, 0}
  for i = 4, N do d[i] = 0 end
  for t = 1, #TOP do d[TOP[t]] = NEG end
  return d
end
local function merge(d, z, A)
  local seenAt, total, horizon, groups = A[2], tonumber(A[3]), tonumber(A[4]), tonumber(A[5])
  local i = 6
  for _ = 1, groups do
    local t, id, slot = tonumber(A[i]) + 1, tonumber(A[i + 2]), tonumber(A[i + 3])
    local len, ring, top = LEN[t], RING[t], d[TOP[t]]
    if id > top - len then
      if id > top then
        if top ~= NEG then
          for k = math.max(top + 1, id - len + 1), id do
            local s = ring + (k % len)
            d[s], d[s + len], d[s + 2 * len] = 0, 0, 0
          end
        end
        d[TOP[t]] = id
      end
      local s = ring + slot
      d[s] = d[s] + tonumber(A[i + 4])
      d[s + len] = d[s + len] + tonumber(A[i + 5])
      d[s + 2 * len] = d[s + 2 * len] + tonumber(A[i + 6])
    end
    i = i + 7
  end
  local touched = i <= #A
  if seenAt ~= '' and tonumber(seenAt) > d[2] then
    d[2] = tonumber(seenAt)
    touched = true
  end
  d[3] = d[3] + total
  if i < #A then
    local pairs = {}
    while i < #A do
      pairs[#pairs + 1] = A[i + 1]
      pairs[#pairs + 1] = A[i]
      i = i + 2
    end
    redis.call('ZADD', z, 'GT', unpack(pairs))
  end
  if touched and d[2] ~= NEG then redis.call('ZREMRANGEBYSCORE', z, '-inf', int(d[2] - horizon)) end
end
local function members(z)
  return table.concat(redis.call('ZRANGE', z, 0, -1, 'WITHSCORES'), '\\n')
end
local function store(h, z, d, ttl)
  local blob = struct.pack(FMT, unpack(d, 1, N))
  if ttl ~= '0' then
    redis.call('SET', h, blob, 'EX', ttl)
    redis.call('EXPIRE', z, ttl)
  else
    redis.call('SET', h, blob)
  end
end
`;

/**
 * One step on one entity (see `ProfileStore.step`), atomically. KEYS: profile, member set, claim
 * hashes of windows k-1, k, k+1, slot sentinel, version key. ARGV: claim, read ('1' = return the
 * state), claim expiry ms, the delta's values each followed by a newline: profile ttl seconds or
 * "0", seenAt or "", total increment, set horizon seconds, G bucket groups, G groups of 7 (tier,
 * tier length, bucket id, slot, dn, ds, df), (member, at) pairs; then the version key's ttl seconds
 * (used when the profile ttl is not "0").
 *
 * Returns `{0}` when the sentinel is missing (nothing done); else `{status, version, applied
 * version, profile, members}` with status 1 = merged now (the state returned is the one before),
 * 2 = claimed earlier (the current state); the profile blob ('' = none) and the members joined by
 * newlines, both empty unless read = '1'.
 */
export const STEP_SCRIPT = `${MERGE}
local h, z = KEYS[1], KEYS[2]
if redis.call('EXISTS', KEYS[6]) == 0 then return {0} end
local claim = ARGV[1]
local blob = redis.call('GET', h)
local d = load(blob)
if not blob then d[1] = tonumber(redis.call('GET', KEYS[7]) or '0') end
local v = d[1]
local reads = ARGV[2] == '1'
for k = 3, 5 do
  local at = redis.call('HGET', KEYS[k], claim)
  if at then
    if reads then return {2, v, tonumber(at), blob or '', members(z)} end
    return {2, v, tonumber(at), '', ''}
  end
end
local before, seen = '', ''
if reads then before, seen = blob or '', members(z) end
local A = values(ARGV[4])
merge(d, z, A)
d[1] = v + 1
store(h, z, d, A[1])
if A[1] ~= '0' then redis.call('SET', KEYS[7], int(v + 1), 'EX', ARGV[5]) end
redis.call('HSET', KEYS[4], claim, int(v + 1))
redis.call('PEXPIRE', KEYS[4], ARGV[3])
return {1, v, v + 1, before, seen}
`;

/**
 * One entity's profile, members and version key (one consistent read). KEYS: profile, member set,
 * version key. Returns `{profile, members, version}` ('' for what is missing).
 */
export const READ_SCRIPT = `${MERGE}
return {redis.call('GET', KEYS[1]) or '', members(KEYS[2]), redis.call('GET', KEYS[3]) or ''}
`;

/**
 * Replaces one entity (rebuilds): its profile blob ('' = none: an entity kept as its version only)
 * and members, its version key, and records claims. KEYS: profile, member set, claim hash of the
 * current window, version key. ARGV: profile blob, profile ttl seconds ("0" = keep), claim expiry
 * ms, M, M (member, score) pairs, then (claim, version) pairs, then the version and the version
 * key's ttl seconds ("0" = keep) as the last two.
 */
export const PUT_SCRIPT = `
local h, z, c = KEYS[1], KEYS[2], KEYS[3]
local n = #ARGV
redis.call('DEL', h, z)
if ARGV[n] ~= '0' then redis.call('SET', KEYS[4], ARGV[n - 1], 'EX', ARGV[n]) else redis.call('SET', KEYS[4], ARGV[n - 1]) end
if ARGV[1] ~= '' then
  if ARGV[2] ~= '0' then redis.call('SET', h, ARGV[1], 'EX', ARGV[2]) else redis.call('SET', h, ARGV[1]) end
end
local i = 5
local members = tonumber(ARGV[4])
for _ = 1, members do
  redis.call('ZADD', z, ARGV[i + 1], ARGV[i])
  i = i + 2
end
if members > 0 and ARGV[2] ~= '0' then redis.call('EXPIRE', z, ARGV[2]) end
local claims = false
while i < n - 2 do
  redis.call('HSET', c, ARGV[i], ARGV[i + 1])
  claims = true
  i = i + 2
end
if claims then redis.call('PEXPIRE', c, ARGV[3]) end
return 1
`;

/**
 * Checks or creates many sentinels at once (standalone servers only: the keys span every slot).
 * KEYS: sentinel keys. ARGV: 'check' or 'restore', the value a created sentinel gets. Returns the
 * 1-based indexes of the keys that were missing.
 */
export const SENTINELS_SCRIPT = `
local missing = {}
for i, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 0 then
    missing[#missing + 1] = i
    if ARGV[1] == 'restore' then redis.call('SET', key, ARGV[2]) end
  end
end
return missing
`;
