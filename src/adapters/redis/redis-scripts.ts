// The Lua scripts of Redis mode. Each runs atomically in Redis: that is what makes "check the
// lease, take the next revision, append to the log, update the snapshot" one step.

/**
 * Commit one delta. Refused unless the caller still holds the exchange's lease (fencing: a
 * poller whose lease expired cannot write, even if it does not know yet) and prepared it against
 * the newest entry (the delta's changes were computed against that state).
 *
 * The source's upserts and removals and the retired instruments come as one argument each, a
 * run of frames (u32 big-endian length, bytes): a first load of 100,000 instruments would be
 * 200,000 arguments otherwise, past what a call can spread.
 *
 * KEYS: lease, seq, revision, log, source, sources, retired, compacted, log index, last entry id
 * ARGV: lease value, expected seq, has changes (1/0), max log entries, exchange, payload,
 *       upserts (key, bytes frames), removed (key frames), retired (key, bytes frames), relisted (key frames)
 * Returns {seq, revision, entry id} or {-1, holder} (lease lost) or {-2, current seq} (behind).
 */
export const COMMIT = `
local function frames(blob, width, each)
  local pos = 1
  local item = {}
  while pos <= #blob do
    local len = struct.unpack('>I4', blob, pos)
    table.insert(item, string.sub(blob, pos + 4, pos + 3 + len))
    pos = pos + 4 + len
    if #item == width then each(item); item = {} end
  end
end
local holder = redis.call('GET', KEYS[1])
if holder ~= ARGV[1] then return {-1, holder or ''} end
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
if seq ~= tonumber(ARGV[2]) then return {-2, seq} end
seq = seq + 1
redis.call('SET', KEYS[2], seq)
local rev
local kind
if ARGV[3] == '1' then rev = redis.call('INCR', KEYS[3]); kind = 'b' else rev = tonumber(redis.call('GET', KEYS[3]) or '0'); kind = 's' end
local id = redis.call('XADD', KEYS[4], 'MAXLEN', ARGV[4], '*', 'seq', seq, 'rev', rev, 'kind', kind, 'ex', ARGV[5], 'd', ARGV[6])
redis.call('SET', KEYS[10], id)
redis.call('SADD', KEYS[6], ARGV[5])
frames(ARGV[7], 2, function(kv) redis.call('HSET', KEYS[5], kv[1], kv[2]) end)
frames(ARGV[8], 1, function(k) redis.call('HDEL', KEYS[5], k[1]) end)
frames(ARGV[9], 2, function(kv) redis.call('HSET', KEYS[7], kv[1], kv[2]) end)
frames(ARGV[10], 1, function(k) redis.call('HDEL', KEYS[7], k[1]) end)
-- The compaction point: batches after it are all still in the log. A first entry that is a
-- batch keeps its own revision resumable; one that only moved a source (kind s) carries the
-- revision of a batch already trimmed. The log's kinds and revisions are kept in a list beside
-- it, trimmed alike, so finding the first does not read its payload (a first load's is megabytes).
redis.call('RPUSH', KEYS[9], kind .. rev)
redis.call('LTRIM', KEYS[9], -tonumber(ARGV[4]), -1)
local first = redis.call('LINDEX', KEYS[9], 0)
local firstRev = tonumber(string.sub(first, 2))
if string.sub(first, 1, 1) == 'b' then firstRev = firstRev - 1 end
redis.call('SET', KEYS[8], firstRev)
return {seq, rev, id}
`;

/**
 * One election round for this replica: heartbeat, then renew the leases it holds, take free ones
 * up to its fair share (the exchanges over the replicas alive), and give up any above it so a
 * replica that joins gets work.
 *
 * A replica counts as alive while its last heartbeat is under two thirds of a lease old (it
 * beats every third), so a dead one has left the count by the time its leases expire.
 *
 * KEYS: replicas, then per exchange: lease, fence
 * ARGV: replica id, lease ms, then the exchange count
 * Returns, per exchange in order, the holder of its lease after the round ('' for none) and the
 * lease's remaining ms (-2 for none), so a replica can try again the moment a lease runs out.
 */
export const ELECT = `
local me = ARGV[1]
local ms = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, me)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - math.floor(ms * 2 / 3))
redis.call('PEXPIRE', KEYS[1], ms * 10)
local fair = math.ceil(n / math.max(1, redis.call('ZCARD', KEYS[1])))
local mine = me .. '/'
local holders = {}
local held = 0
for e = 1, n do
  local lease = KEYS[2 * e]
  local v = redis.call('GET', lease)
  if v and string.sub(v, 1, #mine) == mine then
    if held < fair then redis.call('PEXPIRE', lease, ms); held = held + 1 else redis.call('DEL', lease); v = false end
  end
  holders[e] = v or ''
end
for e = 1, n do
  if holders[e] == '' and held < fair then
    local token = redis.call('INCR', KEYS[2 * e + 1])
    local v = mine .. token
    redis.call('SET', KEYS[2 * e], v, 'PX', ms)
    holders[e] = v
    held = held + 1
  end
end
local out = {}
for e = 1, n do
  table.insert(out, holders[e])
  table.insert(out, redis.call('PTTL', KEYS[2 * e]))
end
return out
`;

/** Give up leases on the way out, so another replica takes them at once. KEYS: replicas, then leases; ARGV: replica id. */
export const RELEASE = `
local mine = ARGV[1] .. '/'
redis.call('ZREM', KEYS[1], ARGV[1])
for i = 2, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v and string.sub(v, 1, #mine) == mine then redis.call('DEL', KEYS[i]) end
end
return 1
`;

/**
 * The snapshot, consistent with the log: seq, revision, the id of the last entry it includes, the
 * retired instruments, then each exchange and its definitions (flat key/value lists).
 *
 * KEYS: seq, revision, last entry id, sources, retired; ARGV: the key tag (source keys are built from it)
 */
export const SNAPSHOT = `
local out = {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or '0', redis.call('GET', KEYS[3]) or '0-0', redis.call('HGETALL', KEYS[5])}
for _, ex in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  table.insert(out, ex)
  table.insert(out, redis.call('HGETALL', ARGV[1] .. 'source:' .. ex))
end
return out
`;
