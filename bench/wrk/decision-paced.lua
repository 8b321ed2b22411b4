-- As decision.lua, each connection waiting DELAY_MS (default 5) between requests: a well-behaved
-- application's steady load, below its quota.
local patients = tonumber(os.getenv("PATIENTS") or "100000")
local pause = tonumber(os.getenv("DELAY_MS") or "5")
init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  return wrk.format("GET", "/api/v1/decisions/p-" .. math.random(1, patients) .. "/CARE")
end
delay = function()
  return pause
end
