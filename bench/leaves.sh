# What numbering audit leaves costs PostgreSQL (./bench/run leaves): records ingested through the
# service for INGEST seconds and appended to the log, then, for 10,000 of them and in transactions
# rolled back, three rounds of: inserting them into a table with the access log's indexes, as
# ingestion did before batches (migration V14) and as it does now (with their batch and position),
# then numbering their batches (an UPDATE of a narrow row a batch), numbering them as the appender did before
# batches (an UPDATE of the wide rows, found by key),
# inserting them into a table with three indexes (the access log without the leaf's), and inserting
# then numbering their keys in a narrow table (key, received, leaf). Sourced by bench/run after the build.
INGEST=${INGEST_SECONDS:-10}
start_postgres "$PG_DIR" "$PG_PORT"
psql_run "$PG_PORT" postgres "CREATE DATABASE consent"
ADMIN=$(jwt admin-1 ADMIN)
APP=$(jwt bench-app APPLICATION)
start_service "$HTTP_PORT" JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres
register bench-app
wrk -t2 -c4 -d"${INGEST}s" -s "$ROOT/bench/wrk/ingest.lua" -H "Authorization: Bearer $APP" \
  "http://127.0.0.1:$HTTP_PORT" > /dev/null
until [ "$(psql_run "$PG_PORT" consent "SELECT COUNT(*) FROM access_batch WHERE first_leaf IS NULL")" = 0 ]; do sleep 0.1; done
stop_service
log "== Numbering audit leaves, 10,000 records ($(psql_run "$PG_PORT" consent "SELECT COUNT(*) FROM access_record") in the log), ms"
psql_run "$PG_PORT" consent "
  CREATE TABLE wide5 (LIKE access_record INCLUDING DEFAULTS INCLUDING INDEXES);
  CREATE TABLE wide3 (LIKE access_record);
  ALTER TABLE wide3 ADD PRIMARY KEY (application_id, id, at);
  CREATE INDEX ON wide3 (patient_id, at);
  CREATE INDEX ON wide3 (application_id, at);
  CREATE TABLE narrow (application_id varchar(64), id varchar(36), at timestamptz, received_at timestamptz,
    leaf_index bigint, PRIMARY KEY (application_id, id, at));
  CREATE INDEX ON narrow (received_at, application_id, id) WHERE leaf_index IS NULL;
  CREATE INDEX ON narrow (leaf_index) WHERE leaf_index IS NOT NULL;
  CREATE TABLE sample AS SELECT r.application_id, r.id, r.patient_id, r.purpose, r.actor, r.data_category, r.outcome,
    r.at, r.received_at, r.accessor_type, r.reason, r.salt, r.batch_id, r.leaf_position,
    b.first_leaf + r.leaf_position AS leaf FROM access_record r JOIN access_batch b ON b.id = r.batch_id
    ORDER BY leaf DESC LIMIT 10000;
  ANALYZE"
# Inserted as ingestion inserted them before batches (no leaf index), and as it does now (with their batch).
COLUMNS="application_id, id, patient_id, purpose, actor, data_category, outcome, at, received_at, accessor_type, reason, salt"
BATCHED="$COLUMNS, batch_id, leaf_position"
cat > "$WORK/leaves.sql" <<SQL
\timing on
BEGIN;
\echo wide-insert-5-indexes
INSERT INTO wide5 ($COLUMNS) SELECT $COLUMNS FROM sample;
ROLLBACK;
BEGIN;
\echo batched-insert-with-batch
INSERT INTO wide5 ($BATCHED) SELECT $BATCHED FROM sample;
\echo batched-number-batches
UPDATE access_batch SET first_leaf = first_leaf + 100000000, leaf_hashes = NULL
  WHERE id IN (SELECT DISTINCT batch_id FROM sample);
ROLLBACK;
BEGIN;
\echo wide-update-by-key
UPDATE access_record a SET leaf_index = u.leaf + 100000000 FROM (SELECT array_agg(leaf) l,
  array_agg(application_id) p, array_agg(id) i, array_agg(at) t FROM sample) k,
  unnest(k.l, k.p, k.i, k.t) AS u(leaf, app, id, at)
  WHERE a.application_id = u.app AND a.id = u.id AND a.at = u.at;
ROLLBACK;
BEGIN;
\echo wide-insert-3-indexes
INSERT INTO wide3 ($COLUMNS) SELECT $COLUMNS FROM sample;
ROLLBACK;
BEGIN;
\echo narrow-insert
INSERT INTO narrow SELECT application_id, id, at, received_at, NULL FROM sample;
\echo narrow-update-by-key
UPDATE narrow n SET leaf_index = s.leaf FROM sample s
  WHERE n.application_id = s.application_id AND n.id = s.id AND n.at = s.at;
ROLLBACK;
SQL
for round in 1 2 3; do
  runuser -u postgres -- "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d consent -v ON_ERROR_STOP=1 -q \
    -f "$WORK/leaves.sql" > "$OUT/leaves-$round.txt"
  awk -v r="$round" '/^[a-z0-9-]+$/ {step = $1} /^Time:/ && step != "" {printf "%s round %s: %s\n", step, r, $2; step = ""}' \
    "$OUT/leaves-$round.txt" | tee -a "$SUMMARY"
done
log "raw outputs: $OUT"
