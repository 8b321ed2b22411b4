# Consent changes on PostgreSQL and what each costs in CPU (./bench/run changes): RUNS runs (3 by
# default), each on a new database and a new service: 10 s of ping and 30 s of changes to warm up
# (on two shared cores, the compiler is still at work on the change's path after 15 s), then,
# measured, 10 s of the authenticated ping and 10 s of changes (wrk -t2 -c32, bench/wrk/change.lua,
# 2,000 patients' tokens, every request a change), with the CPU time (utime + stime of
# /proc/PID/stat) of the service's process and of all PostgreSQL's processes over each, divided by
# the requests wrk counted, and the changes each transaction wrote (group commit). With
# CHANGES_BASE_JAR set to another build of the service, the runs alternate between it ("base") and
# this one ("this"), on the same cluster; CHANGES_BASE_ENV ("NAME=value ...") adds settings to the base's
# service, so that two settings of one build can be compared (e.g. CHANGES_BASE_ENV=CONSENT_WRITES_COMMITTERS=2).
# Sourced by bench/run after the build.
RUNS=${RUNS:-3}
start_postgres "$PG_DIR" "$PG_PORT"
ADMIN=$(jwt admin-1 ADMIN)
APP=$(jwt bench-app APPLICATION)
URL="http://127.0.0.1:$HTTP_PORT"
for run in warm measured; do
  patient_tokens "$WORK/$run.lua" "$run" 2000
done
# cpu_run NAME ARGS...: a measured wrk run with the CPU each side spent per request.
cpu_run() {
  local name=$1 before after; shift
  before=$(ticks)
  wrk --latency "$@" > "$OUT/wrk-$name.txt"
  after=$(ticks)
  grep -q "Non-2xx" "$OUT/wrk-$name.txt" && { echo "wrk $name: errors" >&2; cat "$OUT/wrk-$name.txt" >&2; return 1; }
  awk -v n="$name" -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" '
    /Requests\/sec/ {rps = $2} /requests in/ {reqs = $1} /^ +99%/ {p99 = $2}
    END {split(b, x, " "); split(a, y, " ");
      printf "%s: %.0f req/s, p99 %s; CPU a request: service %.3f ms, postgres %.3f ms\n", n, rps, p99,
        1000 * (y[1] - x[1]) / hz / reqs, 1000 * (y[2] - x[2]) / hz / reqs}' "$OUT/wrk-$name.txt"
}
METRICS="metrics-$(openssl rand -hex 12)"
# groups: "transactions changes" of the group commit so far ("0 0" for a build without it).
groups() {
  curl -fs "$URL/prometheus" -H "Authorization: Bearer $METRICS" \
    | awk '/^consent_writes_group_count / {c = $2} /^consent_writes_group_sum / {s = $2} END {printf "%d %d\n", c, s}'
}
THIS_JAR="$JAR"
COMPARE=; [ -n "${CHANGES_BASE_JAR:-}${CHANGES_BASE_ENV:-}" ] && COMPARE=1
[ -n "$COMPARE" ] && log "base: ${CHANGES_BASE_JAR:-this build}${CHANGES_BASE_ENV:+, with $CHANGES_BASE_ENV}"
for i in $(seq 1 "$RUNS"); do
  # Compared, the order alternates (base first in odd runs, this first in even ones): on this machine the
  # second service of a pair ran up to a quarter slower even when both were the same build and settings.
  LABELS=this; [ -n "$COMPARE" ] && { [ $((i % 2)) = 1 ] && LABELS="base this" || LABELS="this base"; }
  for label in $LABELS; do
    [ "$label" = base ] && JAR="${CHANGES_BASE_JAR:-$THIS_JAR}" || JAR="$THIS_JAR"
    env_extra=(); [ "$label" = base ] && [ -n "${CHANGES_BASE_ENV:-}" ] && read -r -a env_extra <<< "$CHANGES_BASE_ENV"
    psql_run "$PG_PORT" postgres "DROP DATABASE IF EXISTS consent"
    psql_run "$PG_PORT" postgres "CREATE DATABASE consent"
    start_service "$HTTP_PORT" METRICS_TOKEN="$METRICS" JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres \
      ${env_extra[@]+"${env_extra[@]}"}
    register bench-app
    wrk -t2 -c32 -d10s -H "Authorization: Bearer $APP" "$URL/api/v1/ping" > /dev/null
    TOKENS_FILE="$WORK/warm.lua" wrk -t2 -c32 -d30s -s "$ROOT/bench/wrk/change.lua" "$URL" > /dev/null
    # Statistics, as a database in service has them: autovacuum's first visit to a new database comes up to a
    # minute after it (autovacuum_naptime), and whether it came before the measurement decided the plans (without
    # statistics, the audit log's numbering scanned the whole event table at every pass).
    psql_run "$PG_PORT" consent "ANALYZE"
    log "$(date -u +%H:%M) run $i, $label:"
    cpu_run "ping-$i-$label" -t2 -c32 -d10s -H "Authorization: Bearer $APP" "$URL/api/v1/ping" | tee -a "$SUMMARY"
    before=$(groups)
    TOKENS_FILE="$WORK/measured.lua" cpu_run "changes-$i-$label" -t2 -c32 -d10s -s "$ROOT/bench/wrk/change.lua" "$URL" \
      | tee -a "$SUMMARY"
    awk -v b="$before" -v a="$(groups)" 'BEGIN {split(b, x, " "); split(a, y, " ");
      if (y[1] > x[1]) printf "  %d transactions, %.1f changes each\n", y[1] - x[1], (y[2] - x[2]) / (y[1] - x[1])}' \
      | tee -a "$SUMMARY"
    stop_service
  done
done
JAR="$THIS_JAR"
log "raw outputs: $OUT"
