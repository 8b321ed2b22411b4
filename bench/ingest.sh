# Access-record ingestion with salted audit leaves (./bench/run ingest), on PostgreSQL, as in the
# full suite (batches of 1,000, wrk -t2 -c4, 20 s after a 10 s warm-up), twice on fresh databases:
# without witnesses, then with two witnesses (processes of the SDK's witness mode) cosigning every
# checkpoint; each with the CPU time the service and PostgreSQL spent per 1,000 records. RUNS times
# (1 by default); with INGEST_BASE_JAR set to another build of the service, each run is made with it
# ("base") and then with this one ("this"), on the same cluster. Sourced by bench/run after the build.
INGEST=${INGEST_SECONDS:-20}
RUNS=${RUNS:-1}
start_postgres "$PG_DIR" "$PG_PORT"
PG_ENV=(JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres)
ADMIN=$(jwt admin-1 ADMIN)
APP=$(jwt bench-app APPLICATION)
REGULATOR=$(jwt regulator-1 REGULATOR)
URL="http://127.0.0.1:$HTTP_PORT"
AUDIT_KEY=$(openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)
export AUDIT_KEY
SDK_JAR_CP="$ROOT/client-sdk/target/classes:$ROOT/consent-model/target/classes"
WITNESS_PIDS=()
stop_witnesses() { for pid in "${WITNESS_PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done; }
trap 'stop_witnesses; cleanup' EXIT

# The log's verifier key, from a first start with the benchmark's audit key.
psql_run "$PG_PORT" postgres "CREATE DATABASE probe"
start_service "$HTTP_PORT" JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/probe" JDBC_USER=postgres
LOG_KEY=$(curl -fs "$URL/log/key")
stop_service

# witness N: starts witness N and prints "<url> <verifier key>". Called with its output sent to a
# file, not through $(...), so that the process is recorded here to be stopped.
witness() {
  java -cp "$SDK_JAR_CP" health.consent.sdk.verifier.AuditVerifierCli witness --name "bench.example/w$1" \
    --log-key "$LOG_KEY" --state "$WORK/w$1.state" --key-file "$WORK/w$1.key" --port 0 > "$WORK/w$1.out" 2>&1 &
  WITNESS_PIDS+=($!)
  until grep -q '^witness ' "$WORK/w$1.out" 2>/dev/null; do sleep 0.1; done
  awk '/^witness / {print "http://127.0.0.1:" $4 " " $2}' "$WORK/w$1.out"
}

# run LABEL [ENV...]: a fresh database, a warm-up, then the measured ingestion.
run() {
  local label=$1; shift
  psql_run "$PG_PORT" postgres "DROP DATABASE IF EXISTS consent"
  psql_run "$PG_PORT" postgres "CREATE DATABASE consent"
  start_service "$HTTP_PORT" "${PG_ENV[@]}" "$@"
  register bench-app
  local measured=$INGEST
  INGEST=10 measure_ingestion "$label-warm-up" > /dev/null
  INGEST=$measured measure_ingestion "$label"
  # A checkpoint of everything ingested, then (with witnesses) up to a minute for their cosignatures.
  curl -fs -o /dev/null -X POST "$URL/api/v1/audit/checkpoints" -H "Authorization: Bearer $REGULATOR"
  for _ in $(seq 1 600); do
    curl -fs "$URL/log/checkpoint" > "$OUT/checkpoint-$label.txt"
    [ "$(grep -c '^— bench.example/w' "$OUT/checkpoint-$label.txt" || true)" = "${WITNESSES_EXPECTED:-0}" ] && break
    sleep 0.1
  done
  stop_service
}

log "== Access-record ingestion with salted audit leaves (PostgreSQL, batches of 1,000, wrk -t2 -c4, ${INGEST}s)"
THIS_JAR="$JAR"
for i in $(seq 1 "$RUNS"); do
  for build in ${INGEST_BASE_JAR:+base} this; do
    [ "$build" = base ] && JAR="$INGEST_BASE_JAR" || JAR="$THIS_JAR"
    # The first run keeps the names of a run without a base: no-witness, two-witnesses.
    suffix=""
    [ "$RUNS" = 1 ] && [ -z "${INGEST_BASE_JAR:-}" ] || suffix="-$i-$build"
    log "$(date -u +%H:%M) run $i, $build:"
    run "no-witness$suffix"
    witness 1 > "$WORK/w1.url"
    witness 2 > "$WORK/w2.url"
    W1=$(cat "$WORK/w1.url")
    W2=$(cat "$WORK/w2.url")
    WITNESSES_EXPECTED=2 run "two-witnesses$suffix" AUDIT_WITNESSES="$W1,$W2"
    # Witnesses cosign after each checkpoint: the served one carries both cosignatures once they caught up.
    log "cosignatures on the last checkpoint: $(grep -c '^— bench.example/w' "$OUT/checkpoint-two-witnesses$suffix.txt" || true)"
    stop_witnesses
    WITNESS_PIDS=()
    rm -f "$WORK"/w1.* "$WORK"/w2.*
  done
done
log "raw outputs: $OUT"
