-- GET /api/v1/decisions/{patient}/CARE for patients drawn at random among "p-1" .. "p-N".
-- N comes from the PATIENTS environment variable (default 100000).
local patients = tonumber(os.getenv("PATIENTS") or "100000")
init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  return wrk.format("GET", "/api/v1/decisions/p-" .. math.random(1, patients) .. "/CARE")
end
