/**
 * The Lua scripts of the Redis profile store. Each touches one entity's keys only, all carrying the
 * entity's hash tag, so each runs atomically on one Redis Cluster node. The layout they share with
 * redis-profile-codec.ts, per entity:
 *
 * - hash `<prefix><u|m>:{<id>}`: `v` → version (changes merged); `t<tier>` → the tier's top bucket
 *   id; `<tier>:<slot>` → `"<id>,<n>,<s>,<f>"`, ring slot `slot` = id mod length of tier `tier`
 *   (the bucket it last held, with its id); `ls` → lastSeen; `tot` → total. Absent field = none / 0.
 * - sorted set `…:set`: member `<set index>:<key>`, score = the member's latest time `at`.
 * - claim hashes `…:c<k>`: claim → version it was merged at, for claims made while the wall clock
 *   was in window number k (ms / window); each expires two windows after its last write. A step
 *   looks at windows k-1, k and k+1 (replicas' clocks may differ by up to a window).
 * - the slot's sentinel (see redis-slot-sentinels.ts): a step refuses to run without it.
 *
 * Every number is written as a decimal integer string. Lua numbers are doubles: integers below 2^53
 * (bucket ids, epoch seconds, counters) parse, compare and add exactly, and are formatted with
 * `%.0f` (never `tostring`, which rounds to 14 digits).
 */

/**
 * The merge of one `ProfileDelta` (Lua functions of the hash, the set and the delta's values), and
 * the entity's state as two strings (hash fields and values, set members and scores, each joined
 * by newlines: no key or value holds one). One string for hundreds of fields: the client decodes
 * two replies instead of a few hundred (measured: converting each of them to a string was a fifth
 * of a Redis step's client-side CPU).
 */
const MERGE = `
local function int(x) return string.format('%.0f', x) end
local function values(text)
  local out = {}
  for v in string.gmatch(text, '([^\\n]*)\\n') do out[#out + 1] = v end
  return out
end
local function packed(h, z)
  return table.concat(redis.call('HGETALL', h), '\\n'), table.concat(redis.call('ZRANGE', z, 0, -1, 'WITHSCORES'), '\\n')
end
local function merge(h, z, A)
  local ttl, seenAt, total, horizon, groups = A[1], A[2], A[3], A[4], tonumber(A[5])
  local i = 6
  for _ = 1, groups do
    local tier, len, id, slot = A[i], tonumber(A[i + 1]), A[i + 2], A[i + 3]
    local nid = tonumber(id)
    local topField = 't' .. tier
    local topText = redis.call('HGET', h, topField)
    local top = topText and tonumber(topText)
    if not top or nid > top - len then
      if not top or nid > top then redis.call('HSET', h, topField, id) end
      local field = tier .. ':' .. slot
      local n, s, f = 0, 0, 0
      local cur = redis.call('HGET', h, field)
      if cur then
        local cid, cn, cs, cf = string.match(cur, '^(-?%d+),(-?%d+),(-?%d+),(-?%d+)$')
        if cid == id then n, s, f = tonumber(cn), tonumber(cs), tonumber(cf) end
      end
      n = n + tonumber(A[i + 4])
      s = s + tonumber(A[i + 5])
      f = f + tonumber(A[i + 6])
      redis.call('HSET', h, field, id .. ',' .. int(n) .. ',' .. int(s) .. ',' .. int(f))
    end
    i = i + 7
  end
  local ls = redis.call('HGET', h, 'ls')
  local touched = i <= #A
  if seenAt ~= '' and (not ls or tonumber(seenAt) > tonumber(ls)) then
    redis.call('HSET', h, 'ls', seenAt)
    ls = seenAt
    touched = true
  end
  if total ~= '0' then redis.call('HINCRBY', h, 'tot', total) end
  while i < #A do
    redis.call('ZADD', z, 'GT', A[i + 1], A[i])
    i = i + 2
  end
  if touched and ls then
    redis.call('ZREMRANGEBYSCORE', z, '-inf', int(tonumber(ls) - tonumber(horizon)))
  end
  if ttl ~= '0' then
    redis.call('EXPIRE', h, ttl)
    redis.call('EXPIRE', z, ttl)
  end
end
`;

/**
 * One step on one entity (see `ProfileStore.step`), atomically. KEYS: hash, member set, claim
 * hashes of windows k-1, k, k+1, slot sentinel. ARGV: claim, read ('1' = return the state), claim
 * expiry ms, the delta's values each followed by a newline: ttl seconds or "0", seenAt or "", total
 * increment, set horizon seconds, G bucket groups, G groups of 7 (tier, tier length, bucket id,
 * slot, dn, ds, df), (member, at) pairs. Counter groups follow `addToTier`'s merge rule: ids at or
 * below top - length are dropped, top rises to the id, a slot holding another id is recycled.
 * lastSeen is a max register, total adds, members keep their max time (`ZADD GT`, Redis >= 6.2),
 * and members at or below lastSeen - horizon are deleted (they can never be visible again).
 *
 * Returns `{0}` when the sentinel is missing (nothing done); else `{status, version, applied
 * version, hash, set}` with status 1 = merged now (the state returned is the one before), 2 =
 * claimed earlier (the current state); hash and set packed (see `packed`), empty unless read = '1'.
 */
export const STEP_SCRIPT = `${MERGE}
local h, z = KEYS[1], KEYS[2]
if redis.call('EXISTS', KEYS[6]) == 0 then return {0} end
local claim = ARGV[1]
local v = tonumber(redis.call('HGET', h, 'v') or '0')
local function state()
  if ARGV[2] == '1' then return packed(h, z) end
  return '', ''
end
for k = 3, 5 do
  local at = redis.call('HGET', KEYS[k], claim)
  if at then
    local fields, members = state()
    return {2, v, tonumber(at), fields, members}
  end
end
local fields, members = state()
merge(h, z, values(ARGV[4]))
v = v + 1
redis.call('HSET', h, 'v', int(v))
redis.call('HSET', KEYS[4], claim, int(v))
redis.call('PEXPIRE', KEYS[4], ARGV[3])
return {1, v - 1, v, fields, members}
`;

/** One entity's state and version (one consistent read). KEYS: hash, member set. Returns `{hash, set}`, packed. */
export const READ_SCRIPT = `${MERGE}
local fields, members = packed(KEYS[1], KEYS[2])
return {fields, members}
`;

/**
 * Replaces one entity (rebuilds): its hash, set and version, and records claims. KEYS: hash, member
 * set, claim hash of the current window. ARGV: version, entity ttl seconds ("0" = keep), claim
 * expiry ms, F, F (field, value) pairs, M, M (member, score) pairs, then (claim, version) pairs.
 */
export const PUT_SCRIPT = `
local h, z, c = KEYS[1], KEYS[2], KEYS[3]
redis.call('DEL', h, z)
redis.call('HSET', h, 'v', ARGV[1])
local i = 5
local fields = tonumber(ARGV[4])
for _ = 1, fields do
  redis.call('HSET', h, ARGV[i], ARGV[i + 1])
  i = i + 2
end
local members = tonumber(ARGV[i])
i = i + 1
for _ = 1, members do
  redis.call('ZADD', z, ARGV[i + 1], ARGV[i])
  i = i + 2
end
local claims = false
while i < #ARGV do
  redis.call('HSET', c, ARGV[i], ARGV[i + 1])
  claims = true
  i = i + 2
end
if claims then redis.call('PEXPIRE', c, ARGV[3]) end
if ARGV[2] ~= '0' then
  redis.call('EXPIRE', h, ARGV[2])
  if members > 0 then redis.call('EXPIRE', z, ARGV[2]) end
end
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
