-- POST /api/v1/access-records: batches of 1,000 records with fresh UUIDs, for patients
-- "p-1" .. "p-100000". Each wrk thread seeds its own random numbers, so ids never repeat.
thread_id = 0
local counter = 0
setup = function(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end
init = function(args)
  math.randomseed(os.time() * 1000 + thread_id * 104729 + math.floor(os.clock() * 1000000))
end
local function hex(n)
  local s = {}
  for i = 1, n do s[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(s)
end
-- A random prefix for each thread (72 bits), then a counter: one format a record rather than 32
-- random draws, so that the load generator does not take the cores it measures.
local prefix
local serial = 0
local function uuid()
  if not prefix then prefix = hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" end
  serial = serial + 1
  return prefix .. string.format("%012x", serial)
end
request = function()
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local parts = {}
  for i = 1, 1000 do
    parts[i] = '{"id":"' .. uuid() .. '","patientId":"p-' .. math.random(1, 100000) ..
      '","purpose":"CARE","actor":"dr-bench","dataCategory":"vitals","outcome":"PERMIT","at":"' .. now .. '"}'
  end
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/api/v1/access-records", headers, "[" .. table.concat(parts, ",") .. "]")
end
