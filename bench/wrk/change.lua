-- PUT /api/v1/me/consents/bench-app/CARE, each patient (tokens from TOKENS_FILE) switching
-- between GRANTED and REFUSED, so that every request is a change with its event.
dofile(os.getenv("TOKENS_FILE"))
local next_state = {}
thread_id = 0
local counter = 0
setup = function(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end
init = function(args)
  math.randomseed(os.time() + thread_id * 7919)
end
request = function()
  -- Each wrk thread works on its own half of the patients, so two threads never race on one.
  local i = math.random(1, #tokens / 2) * 2 - (thread_id % 2)
  local state = next_state[i] or "GRANTED"
  next_state[i] = (state == "GRANTED") and "REFUSED" or "GRANTED"
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[i]}
  return wrk.format("PUT", "/api/v1/me/consents/bench-app/CARE", headers,
    '{"state":"' .. state .. '","noticeVersion":1}')
end
