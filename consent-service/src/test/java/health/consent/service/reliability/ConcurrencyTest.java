package health.consent.service.reliability;

import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import io.micronaut.json.tree.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many clients at once on the same consent: no lost update, a complete history, records stored once. */
class ConcurrencyTest extends OnBothDatabases {

    @Test
    void clients_racing_on_one_consent_lose_no_update_and_the_history_is_complete() throws Exception {
        String app = registerApplication(api);
        String patient = newPatient();
        String token = Tokens.patient(patient);
        String path = "/api/v1/me/consents/" + app + "/CARE";
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger stale = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int client = 0; client < 8; client++) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < 15; i++) {
                        JsonNode row = api.get("/api/v1/me/consents", token).list("").stream()
                                .filter(r -> r.get("applicationId").getStringValue().equals(app)).findFirst().orElseThrow();
                        long version = row.get("version").getLongValue();
                        String next = "GRANTED".equals(row.get("state").getStringValue()) ? "REFUSED" : "GRANTED";
                        Res res = api.put(path, token, "{\"state\": \"" + next + "\", \"noticeVersion\": 1}",
                                Map.of("If-Match", "\"" + version + "\""));
                        if (res.status() == 200) {
                            assertThat(res.num("consent.version")).isEqualTo(version + 1);
                            accepted.incrementAndGet();
                        } else {
                            assertThat(res.status()).as(res.toString()).isEqualTo(412);
                            stale.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(accepted.get() + stale.get()).isEqualTo(120);
        List<JsonNode> events = api.get("/api/v1/me/consents/history?size=200", token).list("items");
        assertThat(events).as("one event per accepted change, none lost").hasSize(accepted.get());
        JsonNode current = api.get("/api/v1/me/consents", token).list("").stream()
                .filter(r -> r.get("applicationId").getStringValue().equals(app)).findFirst().orElseThrow();
        assertThat(current.get("version").getLongValue()).isEqualTo(accepted.get());
        assertThat(current.get("state").getStringValue()).as("the current state is the last event's")
                .isEqualTo(events.get(0).get("state").getStringValue());
        for (int i = 0; i + 1 < events.size(); i++) {
            assertThat(events.get(i).get("previousState").getStringValue())
                    .as("each event starts where the one before ended").isEqualTo(events.get(i + 1).get("state").getStringValue());
        }
    }

    @Test
    void the_same_access_records_retried_concurrently_are_stored_once() throws Exception {
        String app = registerApplication(api);
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"id\": \"").append(UUID.randomUUID())
                    .append("\", \"patientId\": \"p-").append(i).append("\", \"purpose\": \"CARE\", \"actor\": \"dr-x\", ")
                    .append("\"dataCategory\": \"vitals\", \"outcome\": \"PERMIT\", \"at\": \"").append(Instant.now()).append("\"}");
        }
        String body = batch.append("]").toString();
        AtomicInteger stored = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int retry = 0; retry < 8; retry++) {
                work.add(pool.submit(() -> {
                    Res res = api.post("/api/v1/access-records", Tokens.application(app), body);
                    assertThat(res.status()).as(res.toString()).isEqualTo(200);
                    stored.addAndGet((int) res.num("stored"));
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(stored.get()).isEqualTo(50);
        assertThat(service.count("SELECT COUNT(*) FROM access_record WHERE application_id = '" + app + "'")).isEqualTo(50);
    }
}
