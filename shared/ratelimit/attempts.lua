-- Admit one attempt in a sliding window (shared/ratelimit/attempts.py), atomically.
-- KEYS[1]: a sorted set of attempts scored by time. ARGV: now, limit, expiry (seconds), member.
-- Drops attempts older than the window; refuses when `limit` remain; else adds `member` at `now`.
-- Returns {1 admitted | 0 refused, the oldest attempt's time as text ("" when the window is empty)}.
local now, limit, expiry = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - expiry)
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')[2] or ''
if redis.call('ZCARD', KEYS[1]) >= limit then
    return {0, oldest}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('EXPIRE', KEYS[1], math.ceil(expiry))
return {1, oldest}
