#!/usr/bin/env bash
# The decisions' lock: its plan for any values, on a table of N decisions.
set -euo pipefail
ROOT=/work/main
OUT=$(mktemp -d /tmp/planprobe-XXXX)
BENCH_SECRET="bench-$(openssl rand -hex 24)"
JAVA_OPTS=
source $ROOT/bench/lib.sh
PG_PORT=25437; HTTP_PORT=18184
WORK=$(mktemp -d /tmp/planprobe-work-XXXX); chmod 711 $WORK
start_postgres $WORK/pg $PG_PORT
trap 'stop_service; stop_postgres $WORK/pg; rm -rf $WORK' EXIT
psql_run $PG_PORT postgres "CREATE DATABASE consent"
ADMIN=$(jwt admin-1 ADMIN)
start_service "$HTTP_PORT" JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres
register bench-app
N=${N:-150000}
psql_run "$PG_PORT" consent "INSERT INTO consent (patient_id, application_id, purpose, state, notice_version, version, updated_at)
    SELECT 'p-' || g, 'bench-app', p, 'GRANTED', 1, 1, now() FROM generate_series(1, $N) g, (VALUES ('CARE'), ('STATISTICS')) v(p)
    WHERE p = 'CARE' OR g % 2 = 0; ANALYZE consent"
LOCK="SELECT patient_id, application_id, purpose, state, notice_version, version, updated_at, expires_at FROM consent WHERE (patient_id, application_id) IN (SELECT p, a FROM unnest(\$1::varchar[], \$2::varchar[]) AS k(p, a)) ORDER BY patient_id, application_id, purpose FOR UPDATE"
IDS="ARRAY[$(for i in $(seq 1 16); do printf "'p-%d'," $((i * 7919 % N)); done | sed 's/,$//')]::varchar[]"
APPS="ARRAY[$(for i in $(seq 1 16); do printf "'bench-app',"; done | sed 's/,$//')]::varchar[]"
for mode in force_generic_plan force_custom_plan; do
  echo "== $mode"
  psql_run $PG_PORT consent "SET plan_cache_mode = $mode; PREPARE l(varchar[], varchar[]) AS $LOCK; BEGIN; EXPLAIN (ANALYZE, BUFFERS) EXECUTE l($IDS, $APPS); ROLLBACK"
done
