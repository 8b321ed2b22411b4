# The cohort filter through the SDK (./bench/run cohort): COHORT_PATIENTS patients (1,000,000 by
# default) of one application on PostgreSQL, CARE granted for all and STATISTICS for the even ones;
# filterPermitted over all of them (dense: the application's whole population), then over every
# 50th (sparse: ids spread across it), then over all of them in no order (shuffled, as a map's keys come);
# each run is a new SDK process that filters the cohort once to warm up, then once measured, five dense
# runs, three sparse, three shuffled (the service warms up over the first). Each line gives the SDK's own
# CPU time over the measured filter. Sourced by bench/run after the build.
PATIENTS=${COHORT_PATIENTS:-1000000}
ADMIN=$(jwt admin-1 ADMIN)
URL="http://127.0.0.1:$HTTP_PORT"
start_postgres "$PG_DIR" "$PG_PORT"
psql_run "$PG_PORT" postgres "CREATE DATABASE consent"
start_service "$HTTP_PORT" JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres
register cohort-app
psql_run "$PG_PORT" consent "INSERT INTO consent (patient_id, application_id, purpose, state, notice_version, version, updated_at)
  SELECT 'cohort-' || g, 'cohort-app', p, 'GRANTED', 1, 1, now() FROM generate_series(1, $PATIENTS) g,
  (VALUES ('CARE'), ('STATISTICS')) v(p) WHERE p = 'CARE' OR g % 2 = 0"
psql_run "$PG_PORT" consent "VACUUM ANALYZE consent"
log "== Cohort filter through the SDK (PostgreSQL, $PATIENTS patients of one application)"
for _ in 1 2 3 4 5; do
  java -cp "$SERVICE_CP" health.consent.service.bench.SdkBench cohort "$URL" "$BENCH_SECRET" cohort-app "$PATIENTS" \
    $((PATIENTS / 2)) 2>>"$OUT/cohort.err" | tee -a "$SUMMARY"
done
for _ in 1 2 3; do
  java -cp "$SERVICE_CP" health.consent.service.bench.SdkBench cohort "$URL" "$BENCH_SECRET" cohort-app "$PATIENTS" \
    $((PATIENTS / 50)) 50 2>>"$OUT/cohort.err" | tee -a "$SUMMARY"
done
for _ in 1 2 3; do
  java -cp "$SERVICE_CP" health.consent.service.bench.SdkBench cohort "$URL" "$BENCH_SECRET" cohort-app "$PATIENTS" \
    $((PATIENTS / 2)) 1 shuffled 2>>"$OUT/cohort.err" | tee -a "$SUMMARY"
done
stop_service
log "raw outputs: $OUT"
