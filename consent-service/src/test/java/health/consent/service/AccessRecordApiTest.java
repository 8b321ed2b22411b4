package health.consent.service;

import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.Tokens;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AccessRecordApiTest extends OnBothDatabases {

    static String record(String id, String patient, String at) {
        return """
                {"id": "%s", "patientId": "%s", "purpose": "STATISTICS", "actor": "analyst-7",
                 "dataCategory": "lab-results", "outcome": "PERMIT", "at": "%s"}""".formatted(id, patient, at);
    }

    static String batch(List<String> records) {
        return "[" + String.join(",", records) + "]";
    }

    @Test
    void a_batch_is_stored_once_however_often_it_is_sent() {
        String app = registerApplication(api, "STATISTICS");
        String patient = newPatient();
        List<String> records = IntStream.range(0, 20)
                .mapToObj(i -> record(UUID.randomUUID().toString(), patient, Instant.now().toString()))
                .collect(Collectors.toList());
        Res first = api.post("/api/v1/access-records", Tokens.application(app), batch(records));
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.num("received")).isEqualTo(20);
        assertThat(first.num("stored")).isEqualTo(20);
        Res again = api.post("/api/v1/access-records", Tokens.application(app), batch(records));
        assertThat(again.num("stored")).isZero();
    }

    @Test
    void bad_records_are_named_and_the_batch_is_refused_whole() {
        String app = registerApplication(api, "STATISTICS");
        String good = record(UUID.randomUUID().toString(), newPatient(), Instant.now().toString());
        String bad = """
                {"id": "not-a-uuid", "patientId": "bad id", "purpose": "SPYING", "actor": "",
                 "dataCategory": "x y", "outcome": "MAYBE", "at": "yesterday"}""";
        Res res = api.post("/api/v1/access-records", Tokens.application(app), batch(List.of(good, bad)));
        assertThat(res.status()).isEqualTo(400);
        assertThat(res.list("errors")).extracting(e -> e.get("field").getStringValue()).containsExactly(
                "[1].id", "[1].patientId", "[1].purpose", "[1].actor", "[1].dataCategory", "[1].outcome", "[1].at");
        Res resent = api.post("/api/v1/access-records", Tokens.application(app), batch(List.of(good)));
        assertThat(resent.num("stored")).as("nothing of the refused batch was stored").isEqualTo(1);

        Res future = api.post("/api/v1/access-records", Tokens.application(app),
                batch(List.of(record(UUID.randomUUID().toString(), "p-1", Instant.now().plusSeconds(3600).toString()))));
        assertThat(future.str("errors[0].field")).isEqualTo("[0].at");
        assertThat(api.post("/api/v1/access-records", Tokens.application(app), "[]").status()).isEqualTo(400);
        assertThat(api.post("/api/v1/access-records", Tokens.application(app), "{}").status()).isEqualTo(400);
    }

    @Test
    void only_applications_record_accesses() {
        String body = batch(List.of(record(UUID.randomUUID().toString(), "p-1", Instant.now().toString())));
        for (String token : List.of(Tokens.patient("p-1"), Tokens.regulator(), Tokens.admin())) {
            assertThat(api.post("/api/v1/access-records", token, body).status()).isEqualTo(403);
        }
    }
}
