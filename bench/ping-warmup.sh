#!/usr/bin/env bash
# Whether a consent change answered at the connection costs the authenticated ping anything when the
# service is warmed up by pings alone (BENCHMARKS.md, "Consent changes answered at the connection"):
# two rounds of a service on H2 with CONSENT_CHANGES_FAST_PATH=true then false, each warmed up by 40 s
# of ping, then 10 s of ping measured (wrk -t2 -c32). Build first (mvn -B -DskipTests install).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$(mktemp -d /tmp/ping-warmup-XXXX)}; mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/ping-warmup-work-XXXX)
BENCH_SECRET="bench-$(openssl rand -hex 24)"
JAVA_OPTS=${JAVA_OPTS:-}
source "$ROOT/bench/lib.sh"
PORT=18190
APP=$(jwt bench-app APPLICATION)
SERVICE_PID=
trap 'stop_service; rm -rf "$WORK"' EXIT
for round in 1 2; do
  for fast in true false; do
    start_service $PORT CONSENT_DATA_DIR="$(mktemp -d "$WORK/h2-XXXX")" JDBC_URL= CONSENT_CHANGES_FAST_PATH=$fast
    wrk -t2 -c32 -d40s -H "Authorization: Bearer $APP" "http://127.0.0.1:$PORT/api/v1/ping" > /dev/null
    echo "round $round, changes at the connection $fast: $(wrk -t2 -c32 -d10s -H "Authorization: Bearer $APP" \
      "http://127.0.0.1:$PORT/api/v1/ping" | grep Requests/sec)"
    stop_service
  done
done
