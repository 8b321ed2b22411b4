-- GET /api/v1/me/access-log?size=20 as a random patient: TOKENS_FILE is a Lua file setting
-- `tokens`, a list of patients' bearer tokens.
dofile(os.getenv("TOKENS_FILE"))
request = function()
  local headers = {}
  headers["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)]
  return wrk.format("GET", "/api/v1/me/access-log?size=20", headers)
end
