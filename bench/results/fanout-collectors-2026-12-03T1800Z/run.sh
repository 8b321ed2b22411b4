#!/bin/bash
# one H2 fan-out at N instances, histogram at mid-load
cd /work/main
N=${N:-10000}
SECRET="bench-$(openssl rand -hex 24)"
KEY=$(openssl genpkey -algorithm ed25519 -outform DER | base64 -w0)
D=$(mktemp -d /tmp/h/h2-XXXX)
ulimit -n "$(ulimit -Hn)"
env PORT=18080 JWT_SECRET="$SECRET" AUDIT_SIGNING_KEY="$KEY" CONSENT_JAR=$PWD/consent-service/target/consent-service-0.1.0-SNAPSHOT.jar \
  CONSENT_CDS=/tmp/h/launcher.jsa CONSENT_DATA_DIR=$D JDBC_URL= METRICS_PUBLIC=true CONSENT_JAVA_OPTS="${OPTS:-}" \
  consent-service/bin/consent-service > /tmp/h/service.log 2>&1 &
SP=$!
for _ in $(seq 1 3000); do curl -fs http://127.0.0.1:18080/health >/dev/null 2>&1 && break; sleep 0.1; done
JP=$(pgrep -f "consent-service-0.1.0-SNAPSHOT.jar" | while read p; do grep -q 18080 /proc/$p/environ 2>/dev/null && echo $p; done | tail -1)
echo "service java pid $JP"
CP="consent-service/target/test-classes:consent-service/target/classes:$(cat /tmp/h/cp.txt)"
java -Xmx1g -XX:+UseParallelGC -cp "$CP" health.consent.service.bench.FanoutBench http://127.0.0.1:18080 http://127.0.0.1:18080 "$SECRET" 100 $N 50 20 > /tmp/h/client.txt 2>&1 &
CL=$!
sleep $(( 5 + N / 2000 + 10 + 10 ))
grep -E "VmRSS|Threads" /proc/$JP/status
[ -n "${HISTO:-}" ] && jcmd $JP GC.class_histogram > /tmp/h/histo.txt 2>&1
[ -n "${HEAPINFO:-}" ] && jcmd $JP GC.heap_info > /tmp/h/heap.txt 2>&1
wait $CL
grep '^fanout' /tmp/h/client.txt
kill $SP; wait $SP
rm -rf $D
