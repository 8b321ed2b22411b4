# Shared by the benchmark scripts: a throw-away PostgreSQL from Debian's package, and the
# packaged service started on it. Sourced, not run.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
JAR="$ROOT/consent-service/target/consent-service-0.1.0-SNAPSHOT.jar"

# start_postgres DIR PORT: a new cluster in DIR, listening on 127.0.0.1:PORT, trust authentication;
# PG_EXTRA_OPTS adds server settings ("-c name=value ...").
start_postgres() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  chown postgres "$dir"
  runuser -u postgres -- "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c shared_buffers=256MB -c log_min_duration_statement=${PG_LOG_SLOW_MS:--1} ${PG_EXTRA_OPTS:-}" start >/dev/null
}

stop_postgres() {
  runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$1/data" -m fast stop >/dev/null 2>&1 || true
}

# seed_pg APP FROM TO: on the cluster at $PG_PORT, CARE granted to p-FROM..p-TO for APP, STATISTICS to the even ones.
seed_pg() {
  psql_run "$PG_PORT" consent "INSERT INTO consent (patient_id, application_id, purpose, state, notice_version, version, updated_at)
    SELECT 'p-' || g, '$1', p, 'GRANTED', 1, 1, now() FROM generate_series($2, $3) g, (VALUES ('CARE'), ('STATISTICS')) v(p)
    WHERE p = 'CARE' OR g % 2 = 0; ANALYZE consent"
}
# table_statistics PORT: each table of the consent database that holds rows, with when its statistics were last gathered.
table_statistics() {
  psql_run "$1" consent "SELECT relname, n_live_tup, last_analyze, last_autoanalyze FROM pg_stat_user_tables WHERE n_live_tup > 0 ORDER BY relname"
}
# wal_now PORT: "bytes full-page-images checkpoints" PostgreSQL has written so far (pg_stat_wal, pg_stat_bgwriter:
# checkpoints begun, timed or requested). wal_report BEFORE AFTER COUNT: the WAL each of COUNT changes wrote between
# two readings, and the checkpoints begun meanwhile (each makes the next write of every page a full-page image).
wal_now() {
  psql_run "$1" postgres "SELECT w.wal_bytes || ' ' || w.wal_fpi || ' ' || (b.checkpoints_timed + b.checkpoints_req)
    FROM pg_stat_wal w, pg_stat_bgwriter b"
}
# vacuums_now PORT: "table:autovacuums:autoanalyzes" of each table of the consent database autovacuum visited so far,
# space-separated. vacuum_report BEFORE AFTER PORT: the tables autovacuum finished with between two readings, and
# those it is vacuuming at the second (its workers' CPU counts as PostgreSQL's).
vacuums_now() {
  psql_run "$1" consent "SELECT string_agg(relname || ':' || autovacuum_count || ':' || autoanalyze_count, ' ' ORDER BY relname)
    FROM pg_stat_user_tables WHERE autovacuum_count + autoanalyze_count > 0"
}
vacuum_report() {
  local running
  running=$(psql_run "$3" consent "SELECT string_agg(relid::regclass::text, ', ') FROM pg_stat_progress_vacuum")
  awk -v b="$1" -v a="$2" -v r="$running" 'BEGIN {n = split(b, x, " "); for (i = 1; i <= n; i++) {split(x[i], f, ":"); v[f[1]] = f[2]; z[f[1]] = f[3]}
    m = split(a, y, " "); s = ""; for (i = 1; i <= m; i++) {split(y[i], f, ":"); d = "";
      if (f[2] > v[f[1]]) d = "vacuumed"; if (f[3] > z[f[1]]) d = d (d ? " and " : "") "analysed"; if (d) s = s (s ? ", " : "") f[1] " " d}
    printf "  autovacuum meanwhile: %s; at the end, vacuuming: %s\n", s ? s : "none", r ? r : "none"}'
}
# pg_cpu_now: "pid kind ticks" of each PostgreSQL process (kind: backend, walwriter, checkpointer, autovacuum, ...).
# pg_cpu_report BEFORE_FILE AFTER_FILE COUNT: PostgreSQL's CPU between two readings by kind of process, a change's share
# of each in ms (the busiest backend apart: the committer's, which runs every statement of every group). A process that
# ended between the readings (an autovacuum worker) is not counted.
pg_cpu_now() {
  local p
  for p in $(pgrep -u postgres); do
    echo "$p $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | awk '{k = $2; if ($1 !~ /^postgres:/) k = "postmaster";
      else if ($2 == "autovacuum") k = "autovacuum"; else if ($2 == "background") k = "bgwriter";
      else if ($2 == "postgres") k = "backend"; print k}') $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)"
  done
}
pg_cpu_report() {
  awk -v n="$3" -v hz="$(getconf CLK_TCK)" 'FNR == NR {b[$1] = $3; next}
    {d = $3 - b[$1]; if ($2 == "backend" && d > top) {if (top) k["other backends"] += top; top = d}
     else k[$2 == "backend" ? "other backends" : $2] += d}
    END {s = sprintf("busiest backend %.3f", 1000 * top / hz / n); for (x in k) if (k[x] > 0) s = s sprintf(", %s %.3f", x, 1000 * k[x] / hz / n);
      printf "  PostgreSQL'"'"'s CPU a change by process (ms): %s\n", s}' "$1" "$2"
}
wal_report() {
  awk -v b="$1" -v a="$2" -v n="$3" 'BEGIN {split(b, x, " "); split(a, y, " ");
    printf "  WAL a change: %.0f bytes, %.2f full-page images; checkpoints begun meanwhile: %d\n",
      (y[1] - x[1]) / (n ? n : 1), (y[2] - x[2]) / (n ? n : 1), y[3] - x[3]}'
}

# psql_run PORT DB SQL
psql_run() {
  runuser -u postgres -- "$PG_BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d "$2" -v ON_ERROR_STOP=1 -qAt -c "$3"
}

# start_service PORT [ENV...]: the packaged jar with a fresh audit key (or $AUDIT_KEY); waits for its
# first 200. With SERVICE_LAUNCHER set, through the production launcher (its JVM settings and
# class-data archive, made in $WORK before its first start, so that no training run competes with
# what is measured) rather than `java $JAVA_OPTS -jar`.
start_service() {
  local port=$1; shift
  local key
  key=${AUDIT_KEY:-$(openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)}
  if [ -n "${SERVICE_LAUNCHER:-}" ]; then
    env PORT="$port" JWT_SECRET="$BENCH_SECRET" AUDIT_SIGNING_KEY="$key" CONSENT_JAR="$JAR" \
      CONSENT_CDS="$WORK/launcher.jsa" CONSENT_CDS_TRAINING=before "$@" "$ROOT/consent-service/bin/consent-service" >"$OUT/service-$port.log" 2>&1 &
  else
    env PORT="$port" JWT_SECRET="$BENCH_SECRET" AUDIT_SIGNING_KEY="$key" "$@" \
      java $JAVA_OPTS -jar "$JAR" >"$OUT/service-$port.log" 2>&1 &
  fi
  SERVICE_PID=$!
  # Up to five minutes: the launcher's first start includes its training run.
  for _ in $(seq 1 3000); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "service did not start; see $OUT/service-$port.log" >&2
  return 1
}

stop_service() {
  [ -n "${SERVICE_PID:-}" ] || return 0
  kill "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
}

# ticks: CPU ticks (utime + stime) of the service and of every PostgreSQL process: "service postgres".
ticks() {
  local pg=0 t
  for p in $(pgrep -u postgres); do
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) && pg=$((pg + t))
  done
  echo "$(awk '{print $14 + $15}' "/proc/$SERVICE_PID/stat") $pg"
}
# jit_ticks: CPU ticks the service's JIT compiler threads spent so far.
jit_ticks() {
  local t sum=0
  for t in /proc/"$SERVICE_PID"/task/*; do
    case $(cat "$t/comm" 2>/dev/null) in C1\ CompilerThre*|C2\ CompilerThre*) sum=$((sum + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0))) ;; esac
  done
  echo "$sum"
}
# idle_ticks: "idle all" ticks of the machine's cores so far (/proc/stat: idle and iowait, and every state).
idle_ticks() { awk '/^cpu / {print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }
# cpu_run NAME ARGS...: a measured wrk run with the CPU each side spent per request: the service,
# PostgreSQL, the load generator (wrk itself), and the share of the two cores left idle meanwhile.
cpu_run() {
  local name=$1 before after idle0 idle1 wrk_cpu jit0 jit1; shift
  jit0=$(jit_ticks); before=$(ticks); idle0=$(idle_ticks)
  wrk_cpu=$( { TIMEFORMAT='%U %S'; time wrk --latency "$@" > "$OUT/wrk-$name.txt"; } 2>&1 )
  after=$(ticks); jit1=$(jit_ticks); idle1=$(idle_ticks)
  grep -q "Non-2xx" "$OUT/wrk-$name.txt" && { echo "wrk $name: errors" >&2; cat "$OUT/wrk-$name.txt" >&2; return 1; }
  awk -v n="$name" -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" -v w="$wrk_cpu" -v i0="$idle0" -v i1="$idle1" \
    -v j=$((jit1 - jit0)) '
    /Requests\/sec/ {rps = $2} /requests in/ {reqs = $1} /^ +99%/ {p99 = $2}
    END {split(b, x, " "); split(a, y, " "); split(w, c, " "); split(i0, p, " "); split(i1, q, " ");
      printf "%s: %.0f req/s, p99 %s; CPU a request: service %.3f ms (its compilers %.3f), postgres %.3f ms, wrk %.3f ms; cores idle %.0f%%\n",
        n, rps, p99, 1000 * (y[1] - x[1]) / hz / reqs, 1000 * j / hz / reqs, 1000 * (y[2] - x[2]) / hz / reqs, 1000 * (c[1] + c[2]) / reqs,
        100 * (q[1] - p[1]) / (q[2] - p[2])}' "$OUT/wrk-$name.txt"
}
b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

# patient_tokens FILE PREFIX COUNT: a Lua table "tokens" of COUNT patients' tokens (subjects PREFIX-1..COUNT,
# signed like jwt below) for bench/wrk/change.lua; one node process rather than an openssl per token.
patient_tokens() {
  BENCH_SECRET="$BENCH_SECRET" node -e '
    const crypto = require("crypto"); const [file, prefix, count] = process.argv.slice(1);
    const b64 = (s) => Buffer.from(s).toString("base64url"); const now = Math.floor(Date.now() / 1000);
    const header = b64(JSON.stringify({alg: "HS256", typ: "JWT"})); const lines = ["tokens = {"];
    for (let i = 1; i <= Number(count); i++) {
      const payload = b64(JSON.stringify({sub: prefix + "-" + i, roles: ["PATIENT"], iat: now, exp: now + 86400}));
      const sig = crypto.createHmac("sha256", process.env.BENCH_SECRET).update(header + "." + payload).digest("base64url");
      lines.push(JSON.stringify(header + "." + payload + "." + sig) + ",");
    }
    require("fs").writeFileSync(file, lines.concat("}").join("\n") + "\n");' "$1" "$2" "$3"
}

# register ID: an application ID in the catalogue of the service on HTTP_PORT (as ADMIN), with CARE and STATISTICS.
register() {
  curl -fs -o /dev/null -X POST "http://127.0.0.1:$HTTP_PORT/api/v1/applications" -H "Authorization: Bearer $ADMIN" \
    -H 'Content-Type: application/json' -d "{\"id\": \"$1\", \"name\": \"$1\", \"publisher\": \"Bench\", \"purposes\": [
      {\"purpose\": \"CARE\", \"noticeVersion\": 1, \"notice\": {\"fr\": \"soins\", \"en\": \"care\"}},
      {\"purpose\": \"STATISTICS\", \"noticeVersion\": 1, \"notice\": {\"fr\": \"stats\", \"en\": \"stats\"}}]}"
}

# jwt SUBJECT ROLE: an HS256 token signed with BENCH_SECRET, valid for a day.
jwt() {
  local now header payload sig
  now=$(date +%s)
  header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
  payload=$(printf '{"sub":"%s","roles":["%s"],"iat":%d,"exp":%d}' "$1" "$2" "$now" $((now + 86400)) | b64url)
  sig=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -hmac "$BENCH_SECRET" -binary | b64url)
  printf '%s.%s.%s' "$header" "$payload" "$sig"
}
