"""The checkpoint saver's Lua scripts (one atomic call per hot-path operation).

Every script touches only the seven keys of one thread (`ThreadKeys.all` in base.py), which
share a Redis Cluster hash tag, so none is ever CROSSSLOT. `LuaScript` carries the SHA1 so the
savers can EVALSHA and fall back to EVAL on NOSCRIPT.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LuaScript:
    """A script and its SHA1, so callers can EVALSHA and fall back to EVAL on NOSCRIPT."""

    text: str
    sha: str

    @classmethod
    def of(cls, text: str) -> LuaScript:
        return cls(text, hashlib.sha1(text.encode()).hexdigest())


# KEYS: the seven thread keys (ThreadKeys.all). ARGV: namespace, checkpoint id or "" for the
# latest, TTL in ms (0 = none). One round trip: find, read blobs and writes, refresh TTL.
# No "#!lua" line: its PEXPIREs must not make reads fail while Redis is out of memory.
GET_TUPLE_LUA = LuaScript.of("""
local ns, id, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local function hmget(key, fields)  -- in chunks: unpack() has a limit of ~8000 values
  local out = {}
  for i = 1, #fields, 1000 do
    local part = redis.call('HMGET', key, unpack(fields, i, math.min(i + 999, #fields)))
    for j = 1, #part do out[#out + 1] = part[j] end
  end
  return out
end
if id == '' then
  local last = redis.call('ZREVRANGEBYLEX', KEYS[1], '(' .. ns .. ';', '[' .. ns .. ':',
                          'LIMIT', 0, 1)
  if #last == 0 then return false end
  id = string.sub(last[1], #ns + 2)
end
local member = ns .. ':' .. id
local rec = redis.call('HGET', KEYS[2], member)
if not rec then return false end
local manifest = redis.call('HGET', KEYS[3], member) or ''
local fields = {}
for entry in string.gmatch(manifest, '[^\\n]+') do fields[#fields + 1] = ns .. ':' .. entry end
local blobs = hmget(KEYS[4], fields)
local writes = hmget(KEYS[5], redis.call('ZRANGEBYLEX', KEYS[6], '[' .. member .. ':',
                                         '(' .. member .. ';'))
if ttl > 0 then
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return {id, rec, manifest, blobs, writes}
""")

# The write scripts start with "#!lua" so that Redis 7 refuses them *before* they run when it
# is out of memory (scripts without it are checked per write, which could leave half a write).
# KEYS: the seven thread keys (one slot; the run key is written by the caller first, see
# BaseRedisSaver.run_index_commands).
# ARGV: TTL ms, member "N:C", record, manifest, run member "R:N:C" or "", then blob field/values.
PUT_CHECKPOINT_LUA = LuaScript.of("""#!lua
local ttl, member = tonumber(ARGV[1]), ARGV[2]
for i = 6, #ARGV, 2 do redis.call('HSETNX', KEYS[4], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[2], member, ARGV[3])
redis.call('HSET', KEYS[3], member, ARGV[4])
redis.call('ZADD', KEYS[1], 0, member)
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[7], 0, ARGV[5]) end
if ttl > 0 then
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
""")

# KEYS: the seven thread keys. ARGV: TTL ms, 1 to overwrite (special channels) or 0 to keep
# what is there (idempotent retries), then write field/value pairs.
PUT_WRITES_LUA = LuaScript.of("""#!lua
local ttl, op = tonumber(ARGV[1]), (ARGV[2] == '1') and 'HSET' or 'HSETNX'
local index = {}
for i = 3, #ARGV, 2 do
  redis.call(op, KEYS[5], ARGV[i], ARGV[i + 1])
  index[#index + 1] = 0
  index[#index + 1] = ARGV[i]
end
for i = 1, #index, 1000 do
  redis.call('ZADD', KEYS[6], unpack(index, i, math.min(i + 999, #index)))
end
if ttl > 0 then
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1
""")

# KEYS: the seven thread keys. ARGV[1] = 'keep_latest' (drop all but the newest checkpoint of
# each namespace) or 'run' with ARGV[2] = escaped run id (drop that run's checkpoints).
# Drops the checkpoints, their writes and run entries, then every blob no manifest references.
# Atomic, so a concurrent put (itself one atomic script) never loses a blob it references.
DROP_CHECKPOINTS_LUA = LuaScript.of("""
local function each_chunk(list, fn)
  for i = 1, #list, 500 do fn(unpack(list, i, math.min(i + 499, #list))) end
end
local drop, dropped = {}, {}
if ARGV[1] == 'keep_latest' then
  local latest = {}
  for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local ns = string.match(m, '^([^:]*):')
    if latest[ns] then drop[#drop + 1] = latest[ns] end
    latest[ns] = m
  end
else
  local prefix = ARGV[2] .. ':'
  for _, m in ipairs(redis.call('ZRANGEBYLEX', KEYS[7], '[' .. prefix, '(' .. ARGV[2] .. ';')) do
    drop[#drop + 1] = string.sub(m, #prefix + 1)
  end
end
if #drop == 0 then return 0 end
for _, m in ipairs(drop) do dropped[m] = true end
each_chunk(drop, function(...) redis.call('ZREM', KEYS[1], ...) end)
each_chunk(drop, function(...) redis.call('HDEL', KEYS[2], ...) end)
each_chunk(drop, function(...) redis.call('HDEL', KEYS[3], ...) end)
local dead = {}
for _, f in ipairs(redis.call('ZRANGE', KEYS[6], 0, -1)) do
  if dropped[string.match(f, '^([^:]*:[^:]*):')] then dead[#dead + 1] = f end
end
each_chunk(dead, function(...) redis.call('ZREM', KEYS[6], ...) end)
each_chunk(dead, function(...) redis.call('HDEL', KEYS[5], ...) end)
dead = {}
for _, r in ipairs(redis.call('ZRANGE', KEYS[7], 0, -1)) do
  if dropped[string.match(r, '^[^:]*:(.*)$')] then dead[#dead + 1] = r end
end
each_chunk(dead, function(...) redis.call('ZREM', KEYS[7], ...) end)
local referenced = {}
local manifests = redis.call('HGETALL', KEYS[3])
for i = 1, #manifests, 2 do
  local ns = string.match(manifests[i], '^([^:]*):')
  for entry in string.gmatch(manifests[i + 1], '[^\\n]+') do
    referenced[ns .. ':' .. entry] = true
  end
end
dead = {}
for _, f in ipairs(redis.call('HKEYS', KEYS[4])) do
  if not referenced[f] then dead[#dead + 1] = f end
end
each_chunk(dead, function(...) redis.call('HDEL', KEYS[4], ...) end)
return #drop
""")
