# Consent changes on PostgreSQL and what each costs in CPU (./bench/run changes): RUNS runs (3 by
# default), each on a new database and a new service: 10 s of ping and 30 s of changes to warm up
# (on two shared cores, the compiler is still at work on the change's path after 15 s; CHANGES_WARM_SETS
# adds 10 s for each further set of 2,000 patients, whose first requests, each with a token the
# service has not seen, take the framework's path again, as new patients' do in service), then,
# measured, 10 s of the authenticated ping and 10 s of changes (wrk -t2 -c32, bench/wrk/change.lua,
# 2,000 patients' tokens, every request a change), with the CPU time (utime + stime of
# /proc/PID/stat) of the service's process and of all PostgreSQL's processes over each, divided by
# the requests wrk counted, and the changes each transaction wrote (group commit). With
# CHANGES_BASE_JAR set to another build of the service, the runs alternate between it ("base") and
# this one ("this"), on the same cluster; CHANGES_BASE_ENV ("NAME=value ...") adds settings to the base's
# service, so that two settings of one build can be compared (e.g. CHANGES_BASE_ENV=CONSENT_WRITES_COMMITTERS=2).
# CHANGES_BASE_SEED=N gives the base's database what the full run's has when its changes are measured: N patients'
# decisions seeded (seed_pg, as the decision step does) and no ANALYZE before the measured run.
# Sourced by bench/run after the build.
RUNS=${RUNS:-3}
# How many connections wrk keeps busy with changes (32 in every figure of BENCHMARKS.md unless it says otherwise).
CHANGES_CLIENTS=${CHANGES_CLIENTS:-32}
# How many more sets of 2,000 patients the warm-up takes after its first, 10 s each (none unless set: six sets
# lowered the compilers' share of the measured run but not the rate against the ping; BENCHMARKS.md).
CHANGES_WARM_SETS=${CHANGES_WARM_SETS:-0}
start_postgres "$PG_DIR" "$PG_PORT"
ADMIN=$(jwt admin-1 ADMIN)
APP=$(jwt bench-app APPLICATION)
URL="http://127.0.0.1:$HTTP_PORT"
for run in warm $(seq -f "warm%g" 1 "$CHANGES_WARM_SETS") measured; do
  patient_tokens "$WORK/$run.lua" "$run" 2000
done
# committer_sched: the committers' time on a core, their time waiting for one, and their wake-ups so far
# (nanoseconds, nanoseconds, count: /proc/PID/task/TID/schedstat of the threads named consent-writes-N, which the
# system shows by their first 15 characters, "consent-writes-").
committer_sched() {
  local t
  for t in /proc/"$SERVICE_PID"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in consent-writes-*) cat "$t/schedstat" ;; esac
  done | awk '{r += $1; w += $2; n += $3} END {printf "%.0f %.0f %.0f\n", r, w, n}'
}
# backends_sched: "pid on-core waiting wake-ups" of each PostgreSQL process (its schedstat), a line each, sorted as
# join wants them (pgrep lists by number: 29739 after 100895 stopped a run).
backends_sched() {
  local p
  for p in $(pgrep -u postgres); do echo "$p $(cat "/proc/$p/schedstat" 2>/dev/null)"; done | LC_ALL=C sort
}
METRICS="metrics-$(openssl rand -hex 12)"
# groups: "transactions changes" of the group commit so far ("0 0" for a build without it).
groups() {
  curl -fs "$URL/prometheus" -H "Authorization: Bearer $METRICS" \
    | awk '/^consent_writes_group_count / {c = $2} /^consent_writes_group_sum / {s = $2} END {printf "%d %d\n", c, s}'
}
THIS_JAR="$JAR"
COMPARE=; [ -n "${CHANGES_BASE_JAR:-}${CHANGES_BASE_ENV:-}${CHANGES_BASE_SEED:-}" ] && COMPARE=1
[ -n "$COMPARE" ] && log "base: ${CHANGES_BASE_JAR:-this build}${CHANGES_BASE_ENV:+, with $CHANGES_BASE_ENV}${CHANGES_BASE_SEED:+, on a database holding the decisions of $CHANGES_BASE_SEED seeded patients, not analysed}"
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
    seeded=; [ "$label" = base ] && [ -n "${CHANGES_BASE_SEED:-}" ] && seeded=1 && seed_pg bench-app 1 "$CHANGES_BASE_SEED"
    wrk -t2 -c32 -d10s -H "Authorization: Bearer $APP" "$URL/api/v1/ping" > /dev/null
    TOKENS_FILE="$WORK/warm.lua" wrk -t2 -c"$CHANGES_CLIENTS" -d30s -s "$ROOT/bench/wrk/change.lua" "$URL" > /dev/null
    for set in $(seq 1 "$CHANGES_WARM_SETS"); do
      TOKENS_FILE="$WORK/warm$set.lua" wrk -t2 -c"$CHANGES_CLIENTS" -d10s -s "$ROOT/bench/wrk/change.lua" "$URL" > /dev/null
    done
    # Statistics, as a database in service has them: autovacuum's first visit to a new database comes up to a
    # minute after it (autovacuum_naptime), and whether it came before the measurement decided the plans (without
    # statistics, the audit log's numbering scanned the whole event table at every pass).
    [ -z "$seeded" ] && psql_run "$PG_PORT" consent "ANALYZE"
    log "$(date -u +%H:%M) run $i, $label:"
    cpu_run "ping-$i-$label" -t2 -c32 -d10s -H "Authorization: Bearer $APP" "$URL/api/v1/ping" | tee -a "$SUMMARY"
    before=$(groups); sched0=$(committer_sched); backends_sched > "$WORK/backends0"; wal0=$(wal_now "$PG_PORT"); vac0=$(vacuums_now "$PG_PORT"); pg_cpu_now > "$WORK/pg-cpu-0"
    TOKENS_FILE="$WORK/measured.lua" cpu_run "changes-$i-$label" -t2 -c"$CHANGES_CLIENTS" -d10s -s "$ROOT/bench/wrk/change.lua" "$URL" \
      | tee -a "$SUMMARY"
    pg_cpu_now > "$WORK/pg-cpu-1"
    changes=$(awk '/requests in/ {print $1}' "$OUT/wrk-changes-$i-$label.txt")
    pg_cpu_report "$WORK/pg-cpu-0" "$WORK/pg-cpu-1" "$changes" | tee -a "$SUMMARY"
    wal_report "$wal0" "$(wal_now "$PG_PORT")" "$changes" | tee -a "$SUMMARY"
    vacuum_report "$vac0" "$(vacuums_now "$PG_PORT")" "$PG_PORT" | tee -a "$SUMMARY"
    # A transaction's time on the committer's thread and on the busiest PostgreSQL backend (the committer's
    # connection: it runs every statement of every group): on a core, waiting for one (runnable), and wake-ups (each
    # answer from the other side, and the queue's). The rest of the interval between transactions is spent waiting
    # on the other side (or, for the committer, for changes to arrive).
    backends_sched > "$WORK/backends1"
    backend=$(LC_ALL=C join "$WORK/backends0" "$WORK/backends1" | awk '{d = $5 - $2; if (d > m) {m = d; l = ($5 - $2) " " ($6 - $3) " " ($7 - $4)}} END {print l}')
    awk -v b="$before" -v a="$(groups)" -v s0="$sched0" -v s1="$(committer_sched)" -v k="$backend" 'BEGIN {split(b, x, " "); split(a, y, " ");
      split(s0, p, " "); split(s1, q, " "); split(k, g, " "); t = y[1] - x[1];
      if (t > 0) printf "  %d transactions, %.1f changes each, one every %.2f ms; a transaction on the committer: %.2f ms on a core, %.2f ms waiting for one, %.1f wake-ups; on its backend: %.2f ms on a core, %.2f ms waiting, %.1f wake-ups\n",
        t, (y[2] - x[2]) / t, 10000 / t, (q[1] - p[1]) / 1e6 / t, (q[2] - p[2]) / 1e6 / t, (q[3] - p[3]) / t, g[1] / 1e6 / t, g[2] / 1e6 / t, g[3] / t}' \
      | tee -a "$SUMMARY"
    stop_service
  done
done
JAR="$THIS_JAR"
log "raw outputs: $OUT"
