#!/usr/bin/env bash
# Where a consent change costs PostgreSQL (BENCHMARKS.md, "Where PostgreSQL spends a consent change"): one service on a
# throw-away cluster with pg_stat_statements, 10 s of ping and 30 s of changes to warm up, then 10 s of changes
# measured (wrk -t2 -c32, bench/wrk/change.lua), printing the CPU ticks of the service and of PostgreSQL, the WAL
# and commits, the statements by time, and each second the buffers the audit appender's scan reads.
# Build first (mvn -B -DskipTests install); PJAR=<jar> measures another build; PROBE_JFR=1 also records JFR;
# PG_PRELOAD adds libraries to preload and PG_MORE_OPTS server settings, e.g. PG_PRELOAD=auto_explain
# PG_MORE_OPTS="-c auto_explain.log_min_duration=5 -c auto_explain.log_analyze=on -c auto_explain.log_buffers=on"
# (the plans land in $OUT/postgres.log); with PG_MORE_OPTS="-c pg_stat_statements.track_planning=on" the statements'
# planning (how many times, how long) is counted too. For the measured 10 s it also prints each thread of the service and each
# PostgreSQL process by its time on a core, with its time waiting for one and its wake-ups (/proc/.../schedstat),
# and keeps in $OUT/window.log what the service logged meanwhile (with JAVA_OPTS=-XX:+PrintCompilation, what the
# compilers did then); WARM_SETS=N adds N sets of 2,000 new patients, 10 s each, to the warm-up. SEED=N first grants N
# other patients CARE (and STATISTICS to the even ones) as ./bench/run full's decision step leaves its database, and
# SKIP_ANALYZE=1 leaves the statistics to autovacuum, as the full run does, rather than gathering them before measuring.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$(mktemp -d /tmp/change-statements-XXXX)}; mkdir -p $OUT
BENCH_SECRET="bench-$(openssl rand -hex 24)"
JAVA_OPTS=${JAVA_OPTS:-}
source $ROOT/bench/lib.sh
JAR=${PJAR:-$JAR}
PG_PORT=25436; HTTP_PORT=18183
WORK=$(mktemp -d /tmp/change-statements-work-XXXX); chmod 711 $WORK
PG_DIR=$WORK/pg
PG_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements${PG_PRELOAD:+,$PG_PRELOAD} -c track_io_timing=on ${PG_MORE_OPTS:-}" \
  start_postgres $PG_DIR $PG_PORT
trap 'stop_service; stop_postgres $PG_DIR; cp $PG_DIR/postgres.log $OUT/ 2>/dev/null; rm -rf $WORK' EXIT
psql_run $PG_PORT postgres "CREATE DATABASE consent"
URL=http://127.0.0.1:$HTTP_PORT
ADMIN=$(jwt admin-1 ADMIN); APP=$(jwt bench-app APPLICATION)
for run in warm $(seq -f "warm%g" 1 "${WARM_SETS:-0}") measured; do
  patient_tokens "$WORK/$run.lua" "$run" 2000
done
[ -n "${PROBE_JFR:-}" ] && JAVA_OPTS="$JAVA_OPTS -XX:StartFlightRecording=filename=$OUT/changes.jfr,settings=${JFC:-profile},delay=45s,duration=10s"
start_service $HTTP_PORT JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres
register bench-app
[ -n "${SEED:-}" ] && seed_pg bench-app 1 "$SEED"
wrk -t2 -c32 -d10s -H "Authorization: Bearer $APP" "$URL/api/v1/ping" > /dev/null
TOKENS_FILE="$WORK/warm.lua" wrk -t2 -c32 -d30s -s "$ROOT/bench/wrk/change.lua" "$URL" > /dev/null
for set in $(seq 1 "${WARM_SETS:-0}"); do
  TOKENS_FILE="$WORK/warm$set.lua" wrk -t2 -c32 -d10s -s "$ROOT/bench/wrk/change.lua" "$URL" > /dev/null
done
# Statistics, as a database in service has them (see bench/changes.sh).
[ -n "${SKIP_ANALYZE:-}" ] || psql_run $PG_PORT consent "ANALYZE"
table_statistics $PG_PORT
psql_run $PG_PORT consent "CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()" >/dev/null
W0=$(psql_run $PG_PORT consent "SELECT pg_current_wal_lsn()"); X0=$(psql_run $PG_PORT consent "SELECT xact_commit FROM pg_stat_database WHERE datname='consent'")
# sched: "name:id on-core waiting wake-ups" (nanoseconds, nanoseconds, count) of each thread of the service (its
# name as the system keeps it, 15 characters) and of each PostgreSQL process.
sched() {
  local t p
  for t in /proc/"$SERVICE_PID"/task/*; do echo "$(tr ' ' '_' < "$t/comm"):${t##*/} $(cat "$t/schedstat")"; done
  for p in $(pgrep -u postgres); do echo "postgres:$p $(cat "/proc/$p/schedstat" 2>/dev/null)"; done
}
sched | sort > "$OUT/sched-before.txt"; LOG_LINES=$(wc -l < "$OUT/service-$HTTP_PORT.log")
b=$(ticks)
( for k in 1 2 3 4 5 6 7 8; do sleep 1; psql_run $PG_PORT consent "EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM consent_event WHERE leaf_index IS NULL ORDER BY seq LIMIT 1000" | grep -E "^ *Buffers|Execution Time" | sed -n '1p;$p' | tr '\n' ' '; echo; psql_run $PG_PORT consent "SELECT state, age(backend_xmin), left(query,60) FROM pg_stat_activity WHERE backend_xmin IS NOT NULL ORDER BY age(backend_xmin) DESC LIMIT 2" ; done ) & SAMPLER=$!
TOKENS_FILE="$WORK/measured.lua" wrk --latency -t2 -c32 -d10s -s "$ROOT/bench/wrk/change.lua" "$URL" | grep -E "Requests/sec|requests in|99%|Non-2xx"
wait $SAMPLER
a=$(ticks); echo "ticks service/pg: $b -> $a"
sched | sort > "$OUT/sched-after.txt"; tail -n +$((LOG_LINES + 1)) "$OUT/service-$HTTP_PORT.log" > "$OUT/window.log"
echo "threads and processes over the measured run (ms on a core, ms waiting for one, wake-ups):"
join "$OUT/sched-before.txt" "$OUT/sched-after.txt" \
  | awk '{r = ($5 - $2) / 1e6; if (r >= 20) printf "%8.0f %8.0f %8d  %s\n", r, ($6 - $3) / 1e6, $7 - $4, $1}' | sort -rn
W1=$(psql_run $PG_PORT consent "SELECT pg_current_wal_lsn()"); X1=$(psql_run $PG_PORT consent "SELECT xact_commit FROM pg_stat_database WHERE datname='consent'")
echo "wal bytes: $(psql_run $PG_PORT consent "SELECT pg_wal_lsn_diff('$W1','$W0')")  commits: $((X1-X0))"
psql_run $PG_PORT consent "SELECT calls, round(total_exec_time::numeric,0) ms, plans, round(total_plan_time::numeric,0) plan_ms, rows, left(regexp_replace(query,'\s+',' ','g'),150) FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 25"
psql_run $PG_PORT consent "SELECT calls, shared_blks_hit, shared_blks_read, round(total_exec_time::numeric,0) FROM pg_stat_statements WHERE query LIKE 'SELECT seq,%leaf_index IS NULL ORDER BY seq%'"
psql_run $PG_PORT consent "SELECT n_live_tup, n_dead_tup, last_autovacuum, autovacuum_count FROM pg_stat_user_tables WHERE relname='consent_event'"
