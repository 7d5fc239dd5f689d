/**
 * The Lua scripts of the Redis profile store. The data layout they share with
 * redis-profile-codec.ts, per entity:
 *
 * - hash `KEYS[1]`: `t<tier>` → the tier's top bucket id; `<tier>:<slot>` → `"<id>,<n>,<s>,<f>"`, ring
 *   slot `slot` = id mod length of tier `tier` (the bucket it last held, with its id); `ls` → lastSeen;
 *   `tot` → total. Absent field = none / 0.
 * - sorted set `KEYS[2]`: member `<set index>:<key>`, score = the member's latest time `at`.
 *
 * Every number is written as a decimal integer string. Lua numbers are doubles: integers below 2^53
 * (bucket ids, epoch seconds, counters) parse, compare and add exactly, and are formatted with
 * `%.0f` (never `tostring`, which rounds to 14 digits).
 */

/**
 * Merges one `ProfileDelta` into one entity, atomically. KEYS: profile hash, member set.
 * ARGV: ttl seconds ("0" = keep), seenAt ("" = none), total increment, set horizon seconds, number of
 * bucket groups G, then G groups of 7 (tier, tier length, bucket id, slot, dn, ds, df), then
 * (member, at) pairs. Counter groups follow `addToTier`'s merge rule: ids at or below top - length
 * are dropped, top rises to the id, a slot holding another id is recycled. lastSeen is a max register,
 * total adds, members keep their max time (`ZADD GT`, Redis >= 6.2), and members at or below
 * lastSeen - horizon are deleted (they can never be visible again).
 */
export const APPLY_SCRIPT = `
local h, z = KEYS[1], KEYS[2]
local function int(x) return string.format('%.0f', x) end
local groups = tonumber(ARGV[5])
local i = 6
for _ = 1, groups do
  local tier, len, id, slot = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3]
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
    n = n + tonumber(ARGV[i + 4])
    s = s + tonumber(ARGV[i + 5])
    f = f + tonumber(ARGV[i + 6])
    redis.call('HSET', h, field, id .. ',' .. int(n) .. ',' .. int(s) .. ',' .. int(f))
  end
  i = i + 7
end
local ls = redis.call('HGET', h, 'ls')
local seenAt = ARGV[2]
local touched = i <= #ARGV
if seenAt ~= '' and (not ls or tonumber(seenAt) > tonumber(ls)) then
  redis.call('HSET', h, 'ls', seenAt)
  ls = seenAt
  touched = true
end
if ARGV[3] ~= '0' then redis.call('HINCRBY', h, 'tot', ARGV[3]) end
while i < #ARGV do
  redis.call('ZADD', z, 'GT', ARGV[i + 1], ARGV[i])
  i = i + 2
end
if touched and ls then
  redis.call('ZREMRANGEBYSCORE', z, '-inf', int(tonumber(ls) - tonumber(ARGV[4])))
end
if ARGV[1] ~= '0' then
  redis.call('EXPIRE', h, ARGV[1])
  redis.call('EXPIRE', z, ARGV[1])
end
return 1
`;

/**
 * Reads two entities at once (one command, so one round trip and one consistent snapshot).
 * KEYS: user hash, user member set, merchant hash, merchant member set. Returns four flat arrays:
 * the two hashes as field, value, … and the two sets as member, score, … .
 */
export const GET_SCRIPT = `
return {
  redis.call('HGETALL', KEYS[1]),
  redis.call('ZRANGE', KEYS[2], 0, -1, 'WITHSCORES'),
  redis.call('HGETALL', KEYS[3]),
  redis.call('ZRANGE', KEYS[4], 0, -1, 'WITHSCORES')
}
`;
