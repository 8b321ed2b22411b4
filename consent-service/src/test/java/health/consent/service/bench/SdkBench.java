package health.consent.service.bench;

import com.nimbusds.jwt.JWTClaimsSet;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.sdk.ClientStatus;
import health.consent.sdk.ConsentClient;
import health.consent.service.support.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The SDK parts of the benchmark suite (bench/run), against a running service:
 *
 * <pre>
 * freshness BASE_URL SECRET CLIENTS ROUNDS   withdrawal to every client's cache, p50/p99/max
 * cohort    BASE_URL SECRET APP SIZE GRANTED [STEP [shuffled]]  filterPermitted over the ids "cohort-STEP",
 *                                             "cohort-2*STEP".. "cohort-SIZE" (STEP 1 by default), in that order or
 *                                             shuffled, expecting GRANTED permitted
 * </pre>
 */
public final class SdkBench {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private SdkBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "freshness" -> freshness(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "cohort" -> cohort(args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    args.length > 6 ? Integer.parseInt(args[6]) : 1, args.length > 7 && args[7].equals("shuffled"));
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.exit(0);
    }

    private static String token(String secret, String subject, String role) {
        return Tokens.sign(new JWTClaimsSet.Builder().subject(subject).claim("roles", List.of(role))
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 3_600_000)).build(), secret);
    }

    private static int send(String method, String url, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static void decide(String base, String secret, String patient, String app, String purpose, String state)
            throws Exception {
        int status = send("PUT", base + "/api/v1/me/consents/" + app + "/" + purpose, token(secret, patient, "PATIENT"),
                "{\"state\": \"" + state + "\", \"noticeVersion\": 1}");
        if (status != 200) {
            throw new IllegalStateException(purpose + " " + state + " answered " + status);
        }
    }

    private static ConsentClient client(String base, String secret, String app) {
        ConsentClient c = ConsentClient.builder().baseUrl(base).token(token(secret, app, "APPLICATION")).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.status() != ClientStatus.VALID) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("client not connected to the feed");
            }
            LockSupport.parkNanos(1_000_000);
        }
        return c;
    }

    static void freshness(String base, String secret, int clients, int rounds) throws Exception {
        String app = "fresh-" + Long.toHexString(System.nanoTime());
        int status = send("POST", base + "/api/v1/applications", token(secret, "admin-1", "ADMIN"),
                "{\"id\": \"" + app + "\", \"name\": \"Freshness\", \"publisher\": \"Bench\", \"purposes\": ["
                        + "{\"purpose\": \"CARE\", \"noticeVersion\": 1, \"notice\": {\"fr\": \"a\", \"en\": \"b\"}},"
                        + "{\"purpose\": \"STATISTICS\", \"noticeVersion\": 1, \"notice\": {\"fr\": \"a\", \"en\": \"b\"}}]}");
        if (status != 201) {
            throw new IllegalStateException("registration answered " + status);
        }
        List<ConsentClient> all = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            all.add(client(base, secret, app));
        }
        List<Double> millis = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            String patient = "fresh-patient-" + round;
            decide(base, secret, patient, app, "CARE", "GRANTED");
            decide(base, secret, patient, app, "STATISTICS", "GRANTED");
            for (ConsentClient c : all) {
                if (!c.check(patient, Purpose.STATISTICS).permitted()) {
                    throw new IllegalStateException("grant not seen");
                }
            }
            decide(base, secret, patient, app, "STATISTICS", "WITHDRAWN");
            long withdrawn = System.nanoTime();
            boolean[] seen = new boolean[clients];
            int left = clients;
            while (left > 0) {
                for (int i = 0; i < clients; i++) {
                    if (!seen[i] && all.get(i).check(patient, Purpose.STATISTICS).reason() == Reason.WITHDRAWN) {
                        seen[i] = true;
                        left--;
                        millis.add((System.nanoTime() - withdrawn) / 1e6);
                    }
                }
                if (System.nanoTime() - withdrawn > TimeUnit.SECONDS.toNanos(30)) {
                    throw new IllegalStateException("a withdrawal did not arrive within 30 s");
                }
                LockSupport.parkNanos(100_000);
            }
        }
        all.forEach(ConsentClient::close);
        Collections.sort(millis);
        System.out.printf("freshness clients=%d rounds=%d samples=%d p50_ms=%.1f p99_ms=%.1f max_ms=%.1f%n", clients, rounds,
                millis.size(), percentile(millis, 50), percentile(millis, 99), millis.get(millis.size() - 1));
    }

    static void cohort(String base, String secret, String app, int size, int granted, int step, boolean shuffled) {
        List<String> ids = new ArrayList<>(size / step);
        for (int i = step; i <= size; i += step) {
            ids.add("cohort-" + i);
        }
        if (shuffled) {
            // As a map's keys come: in no order.
            java.util.Collections.shuffle(ids, new java.util.Random(size));
        }
        try (ConsentClient c = ConsentClient.builder().baseUrl(base).token(token(secret, app, "APPLICATION"))
                .followChanges(false).requestTimeout(Duration.ofSeconds(60)).build()) {
            // Warm-up: the whole cohort once, as an application's long-running process would have.
            c.filterPermitted(Purpose.STATISTICS, ids);
            // The SDK's own CPU (its every thread: requests, compiler, collector) over the measured filter.
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean();
            long cpu = os.getProcessCpuTime();
            long start = System.nanoTime();
            Set<String> permitted = c.filterPermitted(Purpose.STATISTICS, ids);
            double seconds = (System.nanoTime() - start) / 1e9;
            double sdkCpu = (os.getProcessCpuTime() - cpu) / 1e9;
            if (permitted.size() != granted) {
                throw new IllegalStateException("expected " + granted + " permitted, got " + permitted.size());
            }
            System.out.printf("cohort ids=%d%s permitted=%d seconds=%.2f ids_per_s=%.0f sdk_cpu_s=%.2f%n", ids.size(),
                    shuffled ? " shuffled" : "", permitted.size(), seconds, ids.size() / seconds, sdkCpu);
        }
    }

    private static double percentile(List<Double> sorted, int p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
}
