-- GET /api/v1/decisions/{patient}/CARE for patients drawn at random among "p-1" .. "p-N".
-- N comes from the PATIENTS environment variable (default 100000). With DELAY_MS set, each
-- connection waits that long between requests: a well-behaved application's steady load.
-- With EVERY_PATIENT set (a warm-up), patients are asked in order instead, each of the THREADS
-- threads (default 2, as -t) taking every THREADS-th one, from the first again once past the last:
-- every patient is asked once in the first N requests, whatever the machine's speed, where random
-- draws leave more than a third of them unasked after N requests, and a tenth after 2.3 N.
local patients = tonumber(os.getenv("PATIENTS") or "100000")
local every = os.getenv("EVERY_PATIENT")
local threads = tonumber(os.getenv("THREADS") or "2")
local made = 0
setup = function(thread)
  thread:set("id", made)
  made = made + 1
end
local next_patient
init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  next_patient = (id or 0) + 1
end
request = function()
  local p
  if every then
    p = next_patient
    next_patient = next_patient + threads
    if next_patient > patients then
      next_patient = next_patient - patients
    end
  else
    p = math.random(1, patients)
  end
  return wrk.format("GET", "/api/v1/decisions/p-" .. p .. "/CARE")
end
if os.getenv("DELAY_MS") then
  local pause = tonumber(os.getenv("DELAY_MS"))
  delay = function()
    return pause
  end
end
