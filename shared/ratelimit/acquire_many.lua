-- Acquire one entry in each of several moving windows, all or nothing (shared/ratelimit/upstash_storage.py).
-- The library's own scripts are prepended as local functions limits_moving_window and
-- limits_acquire_moving_window.
-- ARGV: now, then limit and expiry per key. Checks every window first (refusing at the first full one,
-- consuming nothing), then acquires one entry in each. Returns {0, oldest1, count1, oldest2, count2, ...}
-- when all admitted, {i, oldest_i, count_i, ...} (windows 1..i) when window i refused; counts are before
-- the hit, oldest is "" for an empty window.
local now = tonumber(ARGV[1])
local out = {0}
for i = 1, #KEYS do
    local limit = tonumber(ARGV[2 * i])
    local expiry = tonumber(ARGV[2 * i + 1])
    local window = limits_moving_window({KEYS[i]}, {now - expiry, limit})
    local oldest, count = '', 0
    if window then
        oldest, count = window[1], window[2]
    end
    out[#out + 1] = oldest
    out[#out + 1] = count
    if count + 1 > limit then
        out[1] = i
        return out
    end
end
for i = 1, #KEYS do
    limits_acquire_moving_window({KEYS[i]}, {now, tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1]), 1})
end
return out
