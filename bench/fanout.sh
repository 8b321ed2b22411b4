# The change feed's fan-out (./bench/run fanout): 100, 1,000 and 10,000 connected application
# instances long-polling, 100 applications, patients granting CARE at 50 changes a second; on H2,
# on PostgreSQL, and with two instances on one PostgreSQL (changes written through one, clients
# connected to the other). Sourced by bench/run after the build.
FAN_APPS=100
FAN_RATE=50
FAN_SECONDS=${FAN_SECONDS:-20}
FAN_SIZES=${FAN_SIZES:-"100 1000 10000"}
# Which setups to run (all three by default), and a folder of load-client classes to run ahead of
# this build's (another version of FanoutBench, to compare clients on the same service).
FAN_SETUPS=${FAN_SETUPS:-"h2 postgresql two-instances"}
FANOUT_CLIENT_CLASSES=${FANOUT_CLIENT_CLASSES:-}
# The services run as in production, through the launcher (a 256 MB heap, the serial collector);
# FANOUT_SERVICE_OPTS adds JVM options to the launcher's (CONSENT_JAVA_OPTS), to try other settings;
# SERVICE_LAUNCHER= (empty) runs the services with the JVM's defaults instead.
export SERVICE_LAUNCHER=${SERVICE_LAUNCHER-1}
FANOUT_SERVICE_OPTS=${FANOUT_SERVICE_OPTS-}
# Each side holds one socket per connected instance: use the whole allowance.
ulimit -n "$(ulimit -Hn)"

# lag URL: the service's own delivery lag, commit to answer (p50 and p99, from its metrics).
lag() {
  curl -s "$1/prometheus" | awk -F'[ "]' '/^consent_feed_delivery_lag_seconds\{quantile="0.5"/ {p50 = $4}
    /^consent_feed_delivery_lag_seconds\{quantile="0.99"/ {p99 = $4}
    END {printf " server_p50_ms=%.1f server_p99_ms=%.1f", p50 * 1000, p99 * 1000}'
}

# resources PID: the service's resident memory (MB) and threads.
resources() {
  awk '/^VmRSS/ {rss = $2} /^Threads/ {t = $2} END {printf "rss_mb=%d threads=%d", rss / 1024, t}' "/proc/$1/status"
}

# fan LABEL WRITE_URL READ_URLS INSTANCES PIDS...: one measured run; the services' resources are
# read halfway through the writes, with every client connected, and the reading service's own lag
# at the end.
fan() {
  local label=$1 write=$2 reads=$3 n=$4; shift 4
  # The client's collector pauses count as delivery time: with the parallel collector they are
  # rarer than with G1, and the tail lower (BENCHMARKS.md, "Change feed fan-out").
  java -Xmx1g -XX:+UseParallelGC -cp "${FANOUT_CLIENT_CLASSES:+$FANOUT_CLIENT_CLASSES:}$SERVICE_CP" health.consent.service.bench.FanoutBench "$write" "$reads" "$BENCH_SECRET" \
    "$FAN_APPS" "$n" "$FAN_RATE" "$FAN_SECONDS" > "$OUT/fanout-$label-$n.txt" 2>&1 &
  local client=$!
  # Connections (up to 5 s), the 10 s warm-up, then half of the measured writes.
  sleep $(( 5 + n / 2000 + 10 + FAN_SECONDS / 2 ))
  local res=""
  for pid in "$@"; do res="$res $(resources "$pid")"; done
  wait "$client"
  printf '%s %s%s%s\n' "$label" "$(grep '^fanout' "$OUT/fanout-$label-$n.txt")" "$res" "$(lag "${reads%%,*}")" \
    | tee -a "$SUMMARY"
}

# The services of this mode publish their metrics to the benchmark.
export METRICS_PUBLIC=true
# PostgreSQL first: ten thousand client sockets later could hold its port as their own.
start_postgres "$PG_DIR" "$PG_PORT"
psql_run "$PG_PORT" postgres "CREATE DATABASE consent"

log "== Change feed fan-out (${FAN_APPS} applications, ${FAN_RATE} changes/s for ${FAN_SECONDS}s; delivery from send to arrival)"
setup() { [[ " $FAN_SETUPS " == *" $1 "* ]]; }

setup h2 && for n in $FAN_SIZES; do
  H2_DIR=$(mktemp -d "$WORK/h2-XXXX")
  start_service "$HTTP_PORT" CONSENT_DATA_DIR="$H2_DIR" JDBC_URL= CONSENT_JAVA_OPTS="$FANOUT_SERVICE_OPTS"
  fan h2 "http://127.0.0.1:$HTTP_PORT" "http://127.0.0.1:$HTTP_PORT" "$n" "$SERVICE_PID"
  stop_service
  rm -rf "$H2_DIR"
done

PG_ENV=(JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/consent" JDBC_USER=postgres CONSENT_JAVA_OPTS="$FANOUT_SERVICE_OPTS")
setup postgresql && for n in $FAN_SIZES; do
  start_service "$HTTP_PORT" "${PG_ENV[@]}"
  fan postgresql "http://127.0.0.1:$HTTP_PORT" "http://127.0.0.1:$HTTP_PORT" "$n" "$SERVICE_PID"
  stop_service
done

setup two-instances && for n in $FAN_SIZES; do
  start_service "$HTTP_PORT" "${PG_ENV[@]}"
  FIRST=$SERVICE_PID
  start_service "$((HTTP_PORT + 1))" "${PG_ENV[@]}"
  SECOND=$SERVICE_PID
  fan two-instances "http://127.0.0.1:$HTTP_PORT" "http://127.0.0.1:$((HTTP_PORT + 1))" "$n" "$FIRST" "$SECOND"
  kill "$FIRST" "$SECOND" 2>/dev/null || true
  wait "$FIRST" "$SECOND" 2>/dev/null || true
  SERVICE_PID=
done
python3 "$ROOT/bench/plot_fanout.py" "$SUMMARY" "$OUT/fanout.svg"
log "raw outputs: $OUT"
