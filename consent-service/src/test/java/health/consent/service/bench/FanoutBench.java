package health.consent.service.bench;

import com.nimbusds.jwt.JWTClaimsSet;
import health.consent.service.support.Tokens;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The change feed's fan-out benchmark (bench/run fanout), against running services:
 *
 * <pre>
 * fanout WRITE_URL READ_URLS SECRET APPS INSTANCES RATE SECONDS
 * </pre>
 *
 * Registers APPS applications, holds INSTANCES long polls of {@code GET /api/v1/changes} spread
 * over them and over READ_URLS (comma-separated), then has patients grant CARE at RATE changes a
 * second through WRITE_URL for SECONDS, after ten seconds of the same unmeasured. Each change must
 * reach every instance of its application:
 * the delivery time runs from just before the change's request is sent to its arrival at an
 * instance (so it includes the write itself); "made" runs from the change's time in the service's
 * transaction (its answer's {@code updatedAt}, just before the commit) to the arrival, on the same
 * machine's clock. Prints p50, p99 and max delivery, and the deliveries missed (expected, not
 * received within ten seconds of the last write).
 */
public final class FanoutBench {

    private static final Pattern CHANGE = Pattern.compile("\"patientId\":\"([^\"]+)\"");
    private static final Pattern NEXT = Pattern.compile("\"next\":(\\d+)");
    private static final Pattern UPDATED = Pattern.compile("\"updatedAt\":\"([^\"]+)\"");
    private static final int WARMUP_SECONDS = 10;

    /**
     * Blocking connections for the writes and the set-up, by service (the long polls go through
     * {@link Pollers}). Each write is sent and answered on its writer's thread: the JDK's client,
     * used before, handed every request between three of its threads, and on two cores shared with
     * the service each hand-over could wait for a core, which counted as the write's time.
     */
    private final Map<String, Http1.Client> clients = new ConcurrentHashMap<>();
    private final String secret;
    /** When each patient's change was sent (nanoTime), and for which application. */
    private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
    private final Map<String, Integer> appOf = new ConcurrentHashMap<>();
    /** Delivery times in microseconds, one per (instance, change). */
    private final List<long[]> latencies = new ArrayList<>();
    /** Each delivery's patient and arrival, to measure from the commit once known. */
    private final List<Arrival> arrivals = new ArrayList<>();
    /** When each patient's change was made, in the service's transaction (its answer's updatedAt, microseconds). */
    private final Map<String, Long> madeAt = new ConcurrentHashMap<>();
    private final AtomicLong received = new AtomicLong();
    /** Write latencies in microseconds: from sending a change to its 200. */
    private final List<Long> writes = new ArrayList<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running = true;

    private FanoutBench(String secret) {
        this.secret = secret;
    }

    public static void main(String[] args) throws Exception {
        new FanoutBench(args[2]).run(args[0], args[1].split(","), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        System.exit(0);
    }

    private String token(String subject, String role) {
        return Tokens.sign(new JWTClaimsSet.Builder().subject(subject).claim("roles", List.of(role))
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 3_600_000)).build(), secret);
    }

    private Http1.Answer send(String method, String url, String token, String body) throws Exception {
        URI uri = URI.create(url);
        String base = uri.getScheme() + "://" + uri.getAuthority();
        return clients.computeIfAbsent(base, b -> new Http1.Client(URI.create(b)))
                .send(method, uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()), token, body);
    }

    private void run(String writeUrl, String[] readUrls, int apps, int instances, int rate, int seconds)
            throws Exception {
        String admin = token("admin-1", "ADMIN");
        String run = UUID.randomUUID().toString().substring(0, 6);
        String[] appIds = new String[apps];
        String[] appTokens = new String[apps];
        for (int a = 0; a < apps; a++) {
            appIds[a] = "fan-" + run + "-" + a;
            appTokens[a] = token(appIds[a], "APPLICATION");
            int status = send("POST", writeUrl + "/api/v1/applications", admin, "{\"id\": \"" + appIds[a]
                    + "\", \"name\": \"Fan " + a + "\", \"publisher\": \"Bench\", \"purposes\": [{\"purpose\": \"CARE\", "
                    + "\"noticeVersion\": 1, \"notice\": {\"fr\": \"soins\", \"en\": \"care\"}}]}").status();
            if (status != 201) {
                throw new IllegalStateException("registering " + appIds[a] + " answered " + status);
            }
        }
        String body = send("GET", readUrls[0] + "/api/v1/changes", appTokens[0], null).body();
        Matcher m = NEXT.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no position: " + body);
        }
        long start = Long.parseLong(m.group(1));
        int[] perApp = new int[apps];
        instanceApp = new int[instances];
        seenBy = new java.util.Set[instances];
        Pollers pollers = new Pollers(this::answered);
        Thread polling = new Thread(pollers, "pollers");
        polling.setDaemon(true);
        polling.start();
        for (int i = 0; i < instances; i++) {
            int app = i % apps;
            perApp[app]++;
            instanceApp[i] = app;
            seenBy[i] = new java.util.HashSet<>();
            pollers.add(i, URI.create(readUrls[i % readUrls.length]), appTokens[app], start);
        }
        // Let every poll reach the service and wait there.
        Thread.sleep(Math.max(3_000, instances / 2));

        // A warm-up at the same rate, not measured: the service's code paths compiled, its pools filled.
        write(writeUrl, appIds, run + "w", rate, WARMUP_SECONDS, false);
        int changes = write(writeUrl, appIds, run, rate, seconds, true);
        long expected = 0;
        for (Integer app : appOf.values()) {
            expected += perApp[app];
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (received.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        running = false;
        pollers.stop();
        long[] all;
        synchronized (latencies) {
            all = latencies.stream().mapToLong(l -> l[0]).sorted().toArray();
        }
        long[] w;
        synchronized (writes) {
            w = writes.stream().mapToLong(Long::longValue).sorted().toArray();
        }
        long[] fromMade;
        synchronized (latencies) {
            fromMade = arrivals.stream().filter(a -> madeAt.containsKey(a.patient()))
                    .mapToLong(a -> a.wallMicros() - madeAt.get(a.patient())).sorted().toArray();
        }
        System.out.printf("fanout instances=%d apps=%d rate=%d/s changes=%d expected=%d received=%d missed=%d "
                        + "write_failures=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f write_p50_ms=%.1f write_p99_ms=%.1f "
                        + "made_p50_ms=%.1f made_p99_ms=%.1f%n",
                instances, apps, rate, changes, expected, received.get(), Math.max(0, expected - received.get()),
                failures.get(), percentile(all, 0.50), percentile(all, 0.99),
                all.length == 0 ? 0 : all[all.length - 1] / 1000.0, percentile(w, 0.50), percentile(w, 0.99),
                percentile(fromMade, 0.50), percentile(fromMade, 0.99));
    }

    /** Writes {@code rate} changes a second for {@code seconds}: each a new patient granting CARE to a random application. */
    private int write(String writeUrl, String[] appIds, String prefix, int rate, int seconds, boolean measured)
            throws Exception {
        long period = 1_000_000_000L / rate;
        long next = System.nanoTime();
        int changes = rate * seconds;
        ExecutorService writers = Executors.newFixedThreadPool(32);
        List<Future<?>> written = new ArrayList<>();
        for (int c = 0; c < changes; c++) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += period;
            int app = ThreadLocalRandom.current().nextInt(appIds.length);
            String patient = "f" + prefix + "-" + c;
            if (measured) {
                appOf.put(patient, app);
            }
            written.add(writers.submit(() -> {
                try {
                    String token = token(patient, "PATIENT");
                    long sent = System.nanoTime();
                    if (measured) {
                        sentAt.put(patient, sent);
                    }
                    Http1.Answer answer = send("PUT", writeUrl + "/api/v1/me/consents/" + appIds[app] + "/CARE",
                            token, "{\"state\": \"GRANTED\", \"noticeVersion\": 1}");
                    long took = (System.nanoTime() - sent) / 1_000;
                    if (measured) {
                        synchronized (writes) {
                            writes.add(took);
                        }
                        Matcher updated = UPDATED.matcher(answer.body());
                        if (updated.find()) {
                            madeAt.put(patient, micros(Instant.parse(updated.group(1))));
                        }
                        if (answer.status() != 200) {
                            failures.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    if (measured) {
                        failures.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> w : written) {
            w.get();
        }
        writers.shutdown();
        return changes;
    }

    /** Instance i's application, and the changes it has seen (touched by the pollers' thread only). */
    private int[] instanceApp;
    private java.util.Set<String>[] seenBy;

    /** An instance's answer: records each change of its application once; returns where to ask from next. */
    private Long answered(int instance, String body) {
        long now = System.nanoTime();
        long wall = micros(Instant.now());
        Matcher c = CHANGE.matcher(body);
        while (c.find()) {
            String patient = c.group(1);
            Long sent = sentAt.get(patient);
            Integer of = appOf.get(patient);
            if (sent != null && of != null && of == instanceApp[instance] && seenBy[instance].add(patient)) {
                received.incrementAndGet();
                synchronized (latencies) {
                    latencies.add(new long[] {(now - sent) / 1_000});
                    arrivals.add(new Arrival(patient, wall));
                }
            }
        }
        Matcher n = NEXT.matcher(body);
        // No position (a problem document): the instance asks again from where it was.
        return n.find() ? Long.valueOf(n.group(1)) : null;
    }

    /** A change's arrival at an instance: its patient, and the wall clock then (microseconds). */
    private record Arrival(String patient, long wallMicros) {
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1000.0;
    }
}
