# The access log partitioned by month against one flat table (./bench/run partitions): for each,
# PARTITION_RECORDS access records (100 million by default, as the operations issue asks; set a
# smaller figure to try it) of 100,000 patients and 10 applications over the last five years,
# seeded into PostgreSQL as records already in the log; then ingestion (batches of 1,000, until
# every new record is in the log) and the patient's access-log query (wrk, random patients), and
# the size of the table with its indexes. The flat table is the service's own schema with the
# access log turned back into one table (primary key (application_id, id), the same indexes), as
# it was before migration V12. PARTITION_LAYOUTS chooses the layouts to run ("flat month" by
# default). Sourced by bench/run after the build.
RECORDS=${PARTITION_RECORDS:-100000000}
LAYOUTS=${PARTITION_LAYOUTS:-flat month}
PATIENT_TOKENS=2000
ADMIN=$(jwt admin-1 ADMIN)
APP=$(jwt app-0 APPLICATION)
URL="http://127.0.0.1:$HTTP_PORT"
# Ten years: nothing seeded may be erased while it is measured.
PG_ENV=(JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres ACCESS_RECORD_RETENTION=P10Y)
patient_tokens "$WORK/patients.lua" p "$PATIENT_TOKENS"
start_postgres "$PG_DIR" "$PG_PORT"

read -r -d '' FLAT <<'SQL' || true
ALTER TABLE access_record RENAME TO access_record_by_month;
CREATE TABLE access_record (LIKE access_record_by_month INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE access_record ADD PRIMARY KEY (application_id, id);
DROP TABLE access_record_by_month;
CREATE INDEX access_record_by_patient ON access_record (patient_id, at);
CREATE INDEX access_record_by_batch ON access_record (batch_id, leaf_position);
CREATE INDEX access_record_by_application ON access_record (application_id, at);
CREATE INDEX access_record_by_leaf ON access_record (leaf_index) WHERE leaf_index IS NOT NULL;
SQL
read -r -d '' MONTHS <<'SQL' || true
DO $$
DECLARE m date;
BEGIN
  FOR m IN SELECT generate_series(date_trunc('month', now() - interval '61 months'), date_trunc('month', now()),
                                  interval '1 month')::date LOOP
    EXECUTE format('CREATE TABLE IF NOT EXISTS access_record_y%sm%s PARTITION OF access_record FOR VALUES FROM (%L) TO (%L)',
                   to_char(m, 'YYYY'), to_char(m, 'MM'), m::text || ' 00:00:00+00',
                   (m + interval '1 month')::date::text || ' 00:00:00+00');
  END LOOP;
END $$;
SQL

for layout in $LAYOUTS; do
  psql_run "$PG_PORT" postgres "DROP DATABASE IF EXISTS consent"
  psql_run "$PG_PORT" postgres "CREATE DATABASE consent"
  start_service "$HTTP_PORT" "${PG_ENV[@]}"
  for i in $(seq 0 9); do register "app-$i"; done
  stop_service
  log "== Access log, $layout: $RECORDS records over five years (PostgreSQL)"
  if [ "$layout" = flat ]; then psql_run "$PG_PORT" consent "$FLAT"; else psql_run "$PG_PORT" consent "$MONTHS"; fi
  t0=$(date +%s.%N)
  psql_run "$PG_PORT" consent "
    UPDATE application SET registered_at = now() - interval '6 years';
    UPDATE application_status_change SET at = now() - interval '6 years';
    INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, outcome, at, received_at,
      accessor_type, leaf_index, salt)
    SELECT 'app-' || (g % 10), md5(g::text)::uuid::text, 'p-' || ((g / 7) % 100000 + 1), 'CARE', 'dr-bench', 'vitals',
      'PERMIT', now() - (g::bigint * 157680000 / $RECORDS) * interval '1 second',
      now() - (g::bigint * 157680000 / $RECORDS) * interval '1 second',
      'APPLICATION', g, md5(g::text) || md5((g + 1)::text)
    FROM generate_series(1, $RECORDS) g;
    UPDATE finding_cursor SET last_leaf = $RECORDS;
    ANALYZE"
  t1=$(date +%s.%N)
  awk -v s="$t0" -v e="$t1" 'BEGIN {printf "seeded in %.0fs\n", e - s}' | tee -a "$SUMMARY"
  log "table and indexes: $(psql_run "$PG_PORT" consent "SELECT pg_size_pretty(SUM(pg_total_relation_size(c.oid))) FROM pg_class c
    WHERE c.relkind = 'r' AND (c.relname = 'access_record' OR c.relname LIKE 'access_record_y%' OR c.relname = 'access_record_default')")"
  start_service "$HTTP_PORT" "${PG_ENV[@]}"
  TOKENS_FILE="$WORK/patients.lua" wrk -t2 -c8 -d"${WARMUP}s" -s "$ROOT/bench/wrk/access-log.lua" "$URL" > /dev/null
  TOKENS_FILE="$WORK/patients.lua" wrk_run "access-log-$layout" -t2 -c8 -d"${DURATION}s" -s "$ROOT/bench/wrk/access-log.lua" \
    "$URL" | tee -a "$SUMMARY"
  # How PostgreSQL reads one patient's first page of 20, as the service does
  # (AccessRecordRepository.find): the records counted month by month, then the page from the
  # newest months that hold it (its lower bound a value, as the service sends it), for the raw outputs.
  psql_run "$PG_PORT" consent "EXPLAIN (ANALYZE, BUFFERS) SELECT date_trunc('month', at AT TIME ZONE 'UTC'), COUNT(*)
    FROM access_record WHERE patient_id = 'p-1' GROUP BY 1 ORDER BY 1 DESC" > "$OUT/explain-$layout.txt"
  since=$(psql_run "$PG_PORT" consent "SELECT m FROM (SELECT m, SUM(n) OVER (ORDER BY m DESC) AS c FROM (SELECT
    date_trunc('month', at AT TIME ZONE 'UTC') AS m, COUNT(*) AS n FROM access_record WHERE patient_id = 'p-1'
    GROUP BY 1) h) w WHERE c >= 20 ORDER BY m DESC LIMIT 1")
  psql_run "$PG_PORT" consent "EXPLAIN (ANALYZE, BUFFERS) SELECT id, at FROM access_record WHERE patient_id = 'p-1'
    ${since:+AND at >= TIMESTAMP WITH TIME ZONE '$since+00'} ORDER BY at DESC, id LIMIT 20" >> "$OUT/explain-$layout.txt"
  wrk -t2 -c4 -d"${WARMUP}s" -s "$ROOT/bench/wrk/ingest.lua" -H "Authorization: Bearer $APP" "$URL" > /dev/null
  until [ "$(psql_run "$PG_PORT" consent "SELECT COUNT(*) FROM access_batch WHERE first_leaf IS NULL")" = 0 ]; do sleep 0.1; done
  measure_ingestion "ingestion-$layout"
  stop_service
done
log "raw outputs: $OUT"
