# What a refused request costs the service against the authenticated ping (./bench/run refusals):
# RUNS runs (3 by default), each on a new service on its embedded H2 database: every kind warmed for
# 10 s, then measured for 10 s (wrk -t2 -c32), with the service's CPU time (utime + stime of
# /proc/PID/stat) divided by the requests wrk counted. The kinds: the ping (200); no token (401); a
# token with a bad signature (401); a path no route serves (404); a consent change whose body names
# no state (400, the service's own refusal). With REFUSALS_BASE_JAR set to another build, the runs
# alternate between it ("base") and this one ("this"). Sourced by bench/run after the build.
RUNS=${RUNS:-3}
ADMIN=$(jwt admin-1 ADMIN)
APP=$(jwt bench-app APPLICATION)
PATIENT=$(jwt refusals-patient PATIENT)
FORGED="${APP%.*}.$(printf 'forged' | b64url)"
URL="http://127.0.0.1:$HTTP_PORT"
cat > "$WORK/bad-change.lua" <<LUA
wrk.method = "PUT"
wrk.body = '{"state": "MAYBE", "noticeVersion": 1}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $PATIENT"
LUA
# measure NAME EXPECTED-STATUS ARGS...: warm-up, then a measured run; fails when an answer is not
# the status expected.
measure() {
  local name=$1 status=$2 before after got; shift 2
  got=$(curl -s -o /dev/null -w '%{http_code}' "${@: -1}" "${CURL_ARGS[@]}")
  [ "$got" = "$status" ] || { echo "$name: answered $got, expected $status" >&2; return 1; }
  wrk -t2 -c32 -d10s "$@" > /dev/null
  before=$(awk '{print $14 + $15}' "/proc/$SERVICE_PID/stat")
  wrk --latency -t2 -c32 -d10s "$@" > "$OUT/wrk-$name.txt"
  after=$(awk '{print $14 + $15}' "/proc/$SERVICE_PID/stat")
  awk -v n="$name" -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" '
    /Requests\/sec/ {rps = $2} /requests in/ {reqs = $1} /^ +99%/ {p99 = $2}
    END {printf "%s: %.0f req/s, p99 %s; CPU a request: service %.3f ms\n", n, rps, p99,
      1000 * (a - b) / hz / reqs}' "$OUT/wrk-$name.txt"
}
THIS_JAR="$JAR"
for i in $(seq 1 "$RUNS"); do
  for label in ${REFUSALS_BASE_JAR:+base} this; do
    [ "$label" = base ] && JAR="$REFUSALS_BASE_JAR" || JAR="$THIS_JAR"
    start_service "$HTTP_PORT" CONSENT_DATA_DIR="$(mktemp -d "$WORK/h2-XXXX")" JDBC_URL=
    register bench-app
    log "$(date -u +%H:%M) run $i, $label:"
    {
      CURL_ARGS=(-H "Authorization: Bearer $APP")
      measure "ping-$i-$label" 200 -H "Authorization: Bearer $APP" "$URL/api/v1/ping"
      CURL_ARGS=()
      measure "no-token-$i-$label" 401 "$URL/api/v1/ping"
      CURL_ARGS=(-H "Authorization: Bearer $FORGED")
      measure "forged-token-$i-$label" 401 -H "Authorization: Bearer $FORGED" "$URL/api/v1/ping"
      CURL_ARGS=(-H "Authorization: Bearer $APP")
      measure "unknown-path-$i-$label" 404 -H "Authorization: Bearer $APP" "$URL/api/v1/nowhere"
      CURL_ARGS=(-X PUT -H "Authorization: Bearer $PATIENT" -H "Content-Type: application/json"
        -d '{"state": "MAYBE", "noticeVersion": 1}')
      measure "invalid-change-$i-$label" 400 -s "$WORK/bad-change.lua" "$URL/api/v1/me/consents/bench-app/CARE"
    } | tee -a "$SUMMARY"
    stop_service
  done
done
JAR="$THIS_JAR"
log "raw outputs: $OUT"
