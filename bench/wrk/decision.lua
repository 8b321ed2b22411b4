-- GET /api/v1/decisions/{patient}/CARE for patients drawn at random among "p-1" .. "p-N".
-- N comes from the PATIENTS environment variable (default 100000). With DELAY_MS set, each
-- connection waits that long between requests: a well-behaved application's steady load.
local patients = tonumber(os.getenv("PATIENTS") or "100000")
init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  return wrk.format("GET", "/api/v1/decisions/p-" .. math.random(1, patients) .. "/CARE")
end
if os.getenv("DELAY_MS") then
  local pause = tonumber(os.getenv("DELAY_MS"))
  delay = function()
    return pause
  end
end
