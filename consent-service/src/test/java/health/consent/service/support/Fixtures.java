package health.consent.service.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Collectors;

/** Catalogue applications and patients for one test: fresh identifiers each time, so tests never share data. */
public final class Fixtures {

    private Fixtures() {
    }

    public static String newPatient() {
        return "patient-" + UUID.randomUUID().toString().substring(0, 13);
    }

    public static String newApplicationId() {
        return "app-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** Registers an application declaring CARE and the given secondary purposes, every notice at version 1. */
    public static String registerApplication(Api api, String... secondary) {
        return registerApplicationAs(api, newApplicationId(), secondary);
    }

    /** Registers an application under the given id, as {@link #registerApplication} does. */
    public static String registerApplicationAs(Api api, String id, String... secondary) {
        String purposes = "[" + purpose("CARE", 1) + Arrays.stream(secondary).map(p -> "," + purpose(p, 1))
                .collect(Collectors.joining()) + "]";
        Api.Res res = api.post("/api/v1/applications", Tokens.admin(), """
                {"id": "%s", "name": "Suivi %s", "publisher": "Éditeur Santé", "purposes": %s}"""
                .formatted(id, id, purposes));
        assertThat(res.status()).as(res.toString()).isEqualTo(201);
        return id;
    }

    public static String purpose(String purpose, int version) {
        return """
                {"purpose": "%s", "noticeVersion": %d, "notice": {"fr": "Notice %s v%d", "en": "Notice %s v%d"}}"""
                .formatted(purpose, version, purpose, version, purpose, version);
    }

    public static String decision(String state, int noticeVersion) {
        return "{\"state\": \"" + state + "\", \"noticeVersion\": " + noticeVersion + "}";
    }

    /** Sets a purpose and checks that the service accepted it. */
    public static Api.Res decide(Api api, String token, String app, String purpose, String state) {
        Api.Res res = api.put("/api/v1/me/consents/" + app + "/" + purpose, token, decision(state, 1));
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return res;
    }

    /** An access record's JSON object: a permitted CARE access by dr-martin to the patient's vitals. */
    public static String accessRecord(String id, String patient, java.time.Instant at) {
        return """
                {"id": "%s", "patientId": "%s", "purpose": "CARE", "actor": "dr-martin", "dataCategory": "vitals",
                 "outcome": "PERMIT", "at": "%s"}""".formatted(id, patient, at);
    }

    /** One access record of the application about the patient, dated now, stored; returns its id. */
    public static String recordAccess(Api api, String app, String patient) {
        String id = UUID.randomUUID().toString();
        Api.Res res = api.post("/api/v1/access-records", Tokens.application(app),
                "[" + accessRecord(id, patient, java.time.Instant.now()) + "]");
        assertThat(res.status()).as(res.toString()).isEqualTo(200);
        return id;
    }
}
