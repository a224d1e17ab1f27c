/** Lua scripts that make each cache operation one atomic step on the Redis server (server time, not ours). */

/**
 * Token bucket. KEYS[1] bucket; ARGV tokens, capacity, refillPerSecond.
 * Returns 0 when taken, else the ms until enough tokens refill (nothing taken).
 */
export const TAKE_TOKENS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local want = tonumber(ARGV[1])
local cap = tonumber(ARGV[2])
local rate = tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(b[1])
local at = tonumber(b[2])
if tokens == nil or at == nil then tokens = cap; at = now end
tokens = math.min(cap, tokens + (math.max(0, now - at) / 1000) * rate)
local wait = 0
if tokens >= want then tokens = tokens - want else wait = math.ceil((want - tokens) / rate * 1000) end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate * 1000) + 1000)
return wait
`;

/**
 * Lock with a fencing token. KEYS[1] lock, KEYS[2] fence counter; ARGV[1] ttl ms.
 * The token is max(last + 1, server time in µs): it keeps growing even after a Redis restart
 * that lost the counter, so a store never sees a token go backwards.
 * Returns the token as a string, or false when the lock is held.
 */
export const ACQUIRE_LOCK = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local token = string.format('%.0f', math.max(last + 1, now))
redis.call('SET', KEYS[2], token)
redis.call('SET', KEYS[1], token, 'PX', ARGV[1])
return token
`;

/** Releases KEYS[1] only while it still holds our token ARGV[1]. */
export const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Extends KEYS[1] to ARGV[2] ms only while it still holds our token ARGV[1]; 1 when renewed. */
export const RENEW_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

/**
 * Atomic hash update (Cache.updateHashes). KEYS[1] sequence key, KEYS[2] once-marker, KEYS[3]
 * unless-marker (each used only when its ARGV says so), KEYS[4..] the hashes. ARGV[1] sequence
 * expect ('' = no guard), ARGV[2] sequence next, ARGV[3] once TTL ms ('' = none), ARGV[4] '1' when
 * the unless-marker applies, then groups of four: op (add|init|set|del), hash index (into KEYS from
 * 4), field, value. Integers are added as decimal strings digit by digit: Lua numbers are doubles
 * (exact to 2^53 only) and HINCRBY is i64, while u64 atoms and their sums need more.
 * Returns 'applied', 'duplicate' or 'stale'.
 */
export const UPDATE_HASHES = `
local function parse(s)
  if not string.match(s, '^%-?%d+$') then error('not an integer: ' .. s) end
  local neg = false
  if string.sub(s, 1, 1) == '-' then neg = true; s = string.sub(s, 2) end
  s = string.gsub(s, '^0+', '')
  if s == '' then return false, '0' end
  return neg, s
end
local function cmpabs(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end
local function addabs(a, b)
  local out = {}
  local i, j, carry = #a, #b, 0
  while i > 0 or j > 0 or carry > 0 do
    local d = carry + (i > 0 and tonumber(string.sub(a, i, i)) or 0) + (j > 0 and tonumber(string.sub(b, j, j)) or 0)
    out[#out + 1] = tostring(d % 10)
    carry = math.floor(d / 10)
    i = i - 1; j = j - 1
  end
  return string.reverse(table.concat(out))
end
local function subabs(a, b)
  local out = {}
  local i, j, borrow = #a, #b, 0
  while i > 0 do
    local d = tonumber(string.sub(a, i, i)) - borrow - (j > 0 and tonumber(string.sub(b, j, j)) or 0)
    if d < 0 then d = d + 10; borrow = 1 else borrow = 0 end
    out[#out + 1] = tostring(d)
    i = i - 1; j = j - 1
  end
  local r = string.gsub(string.reverse(table.concat(out)), '^0+', '')
  if r == '' then return '0' end
  return r
end
local function add(x, y)
  local xn, xa = parse(x)
  local yn, ya = parse(y)
  local neg, mag
  if xn == yn then neg, mag = xn, addabs(xa, ya)
  else
    local c = cmpabs(xa, ya)
    if c == 0 then return '0' end
    if c > 0 then neg, mag = xn, subabs(xa, ya) else neg, mag = yn, subabs(ya, xa) end
  end
  if mag == '0' then return '0' end
  return (neg and '-' or '') .. mag
end
-- Checked before any write: Redis does not undo a script's writes when it fails halfway.
for i = 5, #ARGV, 4 do
  if (ARGV[i] == 'add' or ARGV[i] == 'init') and not string.match(ARGV[i + 3], '^%-?%d+$') then return redis.error_reply('not an integer: ' .. ARGV[i + 3]) end
  if KEYS[3 + tonumber(ARGV[i + 1])] == nil then return redis.error_reply('no hash key ' .. ARGV[i + 1]) end
end
if ARGV[1] ~= '' then
  if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 'stale' end
  redis.call('SET', KEYS[1], ARGV[2])
end
if ARGV[3] ~= '' and redis.call('EXISTS', KEYS[2]) == 1 then return 'duplicate' end
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then return 'duplicate' end
for i = 5, #ARGV, 4 do
  local op, key, field, value = ARGV[i], KEYS[3 + tonumber(ARGV[i + 1])], ARGV[i + 2], ARGV[i + 3]
  if op == 'add' then
    redis.call('HSET', key, field, add(redis.call('HGET', key, field) or '0', value))
  elseif op == 'init' then
    redis.call('HSETNX', key, field, add('0', value))
  elseif op == 'set' then
    redis.call('HSET', key, field, value)
  else
    redis.call('HDEL', key, field)
  end
end
if ARGV[3] ~= '' then redis.call('SET', KEYS[2], '1', 'PX', ARGV[3]) end
return 'applied'
`;
