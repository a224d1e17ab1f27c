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
