#!/usr/bin/env bash
# The consent changes' step of ./bench/run full alone, with its table seeded as there (SEED=analyze),
# seeded and vacuumed (SEED=vacuum), or not seeded (SEED=none).
set -euo pipefail
ROOT=/work/main
OUT=$(mktemp -d /tmp/seedprobe-XXXX)
BENCH_SECRET="bench-$(cat /tmp/spt/secret)"
JAVA_OPTS=
source $ROOT/bench/lib.sh
PG_PORT=25438; HTTP_PORT=18185
WORK=$(mktemp -d /tmp/seedprobe-work-XXXX); chmod 711 $WORK
start_postgres $WORK/pg $PG_PORT
trap 'stop_service; stop_postgres $WORK/pg; rm -rf $WORK' EXIT
psql_run $PG_PORT postgres "CREATE DATABASE consent"
ADMIN=$(jwt admin-1 ADMIN); APP=$(jwt bench-app APPLICATION)
start_service "$HTTP_PORT" JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres
register bench-app
case $SEED in
  analyze|vacuum) psql_run "$PG_PORT" consent "INSERT INTO consent (patient_id, application_id, purpose, state, notice_version, version, updated_at)
    SELECT 'p-' || g, 'bench-app', p, 'GRANTED', 1, 1, now() FROM generate_series(1, 100000) g, (VALUES ('CARE'), ('STATISTICS')) v(p)
    WHERE p = 'CARE' OR g % 2 = 0; ANALYZE consent" ;;
esac
[ "$SEED" = vacuum ] && psql_run "$PG_PORT" consent "VACUUM ANALYZE consent"
for run in warm measured; do
  [ -f /tmp/spt/$run.lua ] || { echo "tokens = {"; for i in $(seq 1 2000); do printf '"%s",\n' "$(jwt "$run-$i" PATIENT)"; done; echo "}"; } > /tmp/spt/$run.lua
  cp /tmp/spt/$run.lua "$WORK/$run.lua"
done
URL=http://127.0.0.1:$HTTP_PORT
wrk -t2 -c32 -d10s -H "Authorization: Bearer $APP" "$URL/api/v1/ping" > /dev/null
TOKENS_FILE="$WORK/warm.lua" wrk -t2 -c32 -d30s -s "$ROOT/bench/wrk/change.lua" "$URL" > /dev/null
psql_run $PG_PORT consent "SELECT 'autovacuum before: ' || coalesce(max(last_autovacuum)::text, '-') || ' ' || sum(autovacuum_count) FROM pg_stat_user_tables"
pg0=$(for p in $(pgrep -u postgres); do awk '{print $14 + $15}' /proc/$p/stat; done | awk '{s += $1} END {print s}')
TOKENS_FILE="$WORK/measured.lua" wrk --latency -t2 -c32 -d10s -s "$ROOT/bench/wrk/change.lua" "$URL" | grep -E "Requests/sec|99%|Max"
pg1=$(for p in $(pgrep -u postgres); do awk '{print $14 + $15}' /proc/$p/stat; done | awk '{s += $1} END {print s}')
echo "postgres ticks in the measured run: $((pg1 - pg0))"
psql_run $PG_PORT consent "SELECT relname, autovacuum_count, autoanalyze_count, last_autovacuum FROM pg_stat_user_tables WHERE autovacuum_count > 0 OR autoanalyze_count > 0"
