# Findings on a large trail (./bench/run findings): 10 million access records (FINDINGS_RECORDS) of
# 100,000 patients and 10 applications over the last 30 days, one in ten for statistics and half of
# those without consent, seeded into PostgreSQL as records already in the log, in batches of 1,000
# (as ingestion stores them since migration V14). Measures how fast
# the findings pass judges them, then how fast regulators' queries answer (wrk, each read
# recorded in the log of the patients it names). Sourced by bench/run after the build.
RECORDS=${FINDINGS_RECORDS:-10000000}
start_postgres "$PG_DIR" "$PG_PORT"
psql_run "$PG_PORT" postgres "CREATE DATABASE consent"
PG_ENV=(JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres)
ADMIN=$(jwt admin-1 ADMIN)
REGULATOR=$(jwt regulator-1 REGULATOR)
URL="http://127.0.0.1:$HTTP_PORT"
start_service "$HTTP_PORT" "${PG_ENV[@]}"
for i in $(seq 0 9); do
  curl -fs -o /dev/null -X POST "$URL/api/v1/applications" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d "{\"id\": \"app-$i\", \"name\": \"App $i\", \"publisher\": \"Bench\", \"purposes\": [
      {\"purpose\": \"CARE\", \"noticeVersion\": 1, \"notice\": {\"fr\": \"soins\", \"en\": \"care\"}},
      {\"purpose\": \"STATISTICS\", \"noticeVersion\": 1, \"notice\": {\"fr\": \"stats\", \"en\": \"stats\"}}]}"
done
stop_service

log "== Findings on a trail of $RECORDS access records (PostgreSQL)"
t0=$(date +%s.%N)
psql_run "$PG_PORT" consent "
  UPDATE application SET registered_at = now() - interval '60 days';
  UPDATE application_status_change SET at = now() - interval '60 days';
  UPDATE notice SET published_at = now() - interval '60 days';
  -- Half the patients granted statistics to every application, 45 days ago.
  INSERT INTO consent_event (patient_id, application_id, purpose, state, previous_state, notice_version, actor_type,
    actor_id, channel, at, leaf_index, salt)
  SELECT 'p-' || p, 'app-' || a, 'STATISTICS', 'GRANTED', 'NOT_SET', 1, 'PATIENT', 'p-' || p, 'WEB',
    now() - interval '45 days', 100000000 + p * 10 + a, md5(p::text || a::text) || md5(a::text || p::text)
  FROM generate_series(1, 100000, 2) p, generate_series(0, 9) a;
  -- Record g is leaf g: position g % 1000 of batch g / 1000 + 1, whose first leaf is 1000 * (g / 1000).
  -- The tree itself is not seeded: the leaves the benchmark's own reads add may repeat those numbers.
  DROP INDEX access_batch_by_leaf;
  CREATE INDEX access_batch_by_leaf ON access_batch (first_leaf);
  INSERT INTO access_batch (id, first_leaf, leaf_count, received_at)
  SELECT b + 1, 1000 * b, 1000, now() FROM generate_series(0, $RECORDS / 1000) b;
  SELECT setval('access_batch_seq', $RECORDS / 1000 + 2);
  INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, outcome, at, received_at,
    accessor_type, batch_id, leaf_position, salt)
  SELECT 'app-' || (g % 10), md5(g::text)::uuid::text, 'p-' || ((g / 7) % 100000 + 1),
    CASE WHEN g % 10 = 3 THEN 'STATISTICS' ELSE 'CARE' END, 'dr-bench', 'vitals', 'PERMIT',
    now() - (g % 2592000) * interval '1 second', now() - (g % 2592000) * interval '1 second' + interval '2 seconds',
    'APPLICATION', g / 1000 + 1, g % 1000, md5(g::text) || md5((g + 1)::text)
  FROM generate_series(1, $RECORDS) g;
  ANALYZE"
t1=$(date +%s.%N)
awk -v s="$t0" -v e="$t1" 'BEGIN {printf "seeded in %.0fs\n", e - s}' | tee -a "$SUMMARY"

start_service "$HTTP_PORT" "${PG_ENV[@]}" CONSENT_FINDINGS_INTERVAL=100ms
t0=$(date +%s.%N)
until [ "$(psql_run "$PG_PORT" consent "SELECT last_leaf FROM finding_cursor")" -ge "$RECORDS" ]; do sleep 1; done
t1=$(date +%s.%N)
found=$(psql_run "$PG_PORT" consent "SELECT COUNT(*) FROM finding")
awk -v n="$RECORDS" -v f="$found" -v s="$t0" -v e="$t1" \
  'BEGIN {printf "judged %d records in %.0fs (%.0f records/s): %d findings\n", n, e - s, n / (e - s), f}' | tee -a "$SUMMARY"
log "finding table: $(psql_run "$PG_PORT" consent "SELECT pg_size_pretty(pg_total_relation_size('finding'))")"

REASON="reason=Benchmark%20of%20findings%20queries"
query() {
  local name=$1 path=$2
  wrk -t2 -c8 -d"${WARMUP}s" -H "Authorization: Bearer $REGULATOR" "$URL$path" > /dev/null
  wrk_run "findings-$name" -t2 -c8 -d"${DURATION}s" -H "Authorization: Bearer $REGULATOR" "$URL$path" | tee -a "$SUMMARY"
}
DAY=$(date -u -d '10 days ago' +%Y-%m-%d)
query kind "/api/v1/audit/findings?kind=ACCESS_WITHOUT_CONSENT&size=50&$REASON"
query application "/api/v1/audit/findings?applicationId=app-3&kind=ACCESS_WITHOUT_CONSENT&size=50&$REASON"
query one-day "/api/v1/audit/findings?from=$DAY&to=$DAY&size=50&$REASON"
query last-page "/api/v1/audit/findings?applicationId=app-3&size=50&page=200&$REASON"
stop_service
log "raw outputs: $OUT"
