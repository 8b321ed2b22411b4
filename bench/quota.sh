# Per-application quotas (./bench/run quota): a well-behaved application (8 connections, each
# pausing 5 ms between decision requests, about 1,500 a second) measured alone, then while another
# application floods the same instance (32 connections, no pause), without quotas and with a quota
# of 3,000 and of 1,500 decision calls a second per application (QUOTAS), and with a quota of 300 a
# second for the flooding application alone (flood-app=300: an override, the quiet application
# without a quota). H2, the packaged jar. Sourced by bench/run.
QUIET_DURATION=${QUOTA_SECONDS:-15}
URL="http://127.0.0.1:$HTTP_PORT"
ADMIN=$(jwt admin-1 ADMIN)
QUIET=$(jwt quiet-app APPLICATION)
FLOOD=$(jwt flood-app APPLICATION)

quiet_run() {
  DELAY_MS=5 wrk --latency -t1 -c8 -d"${QUIET_DURATION}s" -s "$ROOT/bench/wrk/decision.lua" \
    -H "Authorization: Bearer $QUIET" "$URL" > "$OUT/wrk-quiet-$1.txt"
  awk -v n="$1" '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} END {printf "quiet application, %s: %.0f req/s, p50 %s, p99 %s\n", n, rps, p50, p99}' \
    "$OUT/wrk-quiet-$1.txt" | tee -a "$SUMMARY"
}

for setting in ${QUOTAS:-0 3000 1500 flood-app=300}; do
  H2_DIR=$(mktemp -d "$WORK/h2-XXXX")
  if [ "${setting#*=}" != "$setting" ]; then
    quota=${setting//=/-}
    start_service "$HTTP_PORT" CONSENT_DATA_DIR="$H2_DIR" JDBC_URL= CONSENT_LIMITS_APPLICATION_DECISIONS_OVERRIDES="$setting"
    what="${setting#*=}/s for flood-app alone"
  else
    quota=$setting
    start_service "$HTTP_PORT" CONSENT_DATA_DIR="$H2_DIR" JDBC_URL= CONSENT_LIMITS_APPLICATION_DECISIONS_PER_SECOND="$setting"
    what=$([ "$setting" = 0 ] && echo none || echo "$setting/s")
  fi
  register quiet-app
  register flood-app
  log "== Quota of decision calls per application: $what"
  # Warm-up of both (the flood's paths, refusals included, compiled before anything is measured),
  # then the quiet application alone, then with the flood beside it.
  wrk -t1 -c8 -d5s -s "$ROOT/bench/wrk/decision.lua" -H "Authorization: Bearer $QUIET" "$URL" > /dev/null
  wrk -t1 -c32 -d5s -s "$ROOT/bench/wrk/decision.lua" -H "Authorization: Bearer $FLOOD" "$URL" > /dev/null
  sleep 2
  quiet_run "alone-quota-$quota"
  wrk --latency -t1 -c32 -d"$((QUIET_DURATION + 2))s" -s "$ROOT/bench/wrk/decision.lua" \
    -H "Authorization: Bearer $FLOOD" "$URL" > "$OUT/wrk-flood-quota-$quota.txt" &
  flood=$!
  sleep 1
  quiet_run "flooded-quota-$quota"
  wait "$flood"
  awk '/Requests\/sec/ {rps=$2} /Non-2xx/ {refused=$5} END {printf "flooding application: %.0f req/s, %s of them refused (429)\n", rps, refused == "" ? 0 : refused}' \
    "$OUT/wrk-flood-quota-$quota.txt" | tee -a "$SUMMARY"
  stop_service
  rm -rf "$H2_DIR"
done
log "raw outputs: $OUT"
