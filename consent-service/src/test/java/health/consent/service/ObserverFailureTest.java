package health.consent.service;

import static health.consent.service.support.Fixtures.decision;
import static health.consent.service.support.Fixtures.newPatient;
import static health.consent.service.support.Fixtures.registerApplication;
import static org.assertj.core.api.Assertions.assertThat;

import health.consent.service.support.Api.Res;
import health.consent.service.support.FailingObserver;
import health.consent.service.support.OnBothDatabases;
import health.consent.service.support.ServiceSettings;
import health.consent.service.support.Tokens;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A write that committed stands, whatever its observers do next: an observer failing after the
 * commit is not the writer's failure, keeps no other observer from being told, and changes
 * committed in a group are never written again because of it (one committer, so that concurrent
 * changes go in groups).
 */
@ServiceSettings({"test.observers.fail=true", "consent.writes.committers=1"})
class ObserverFailureTest extends OnBothDatabases {

    @Test
    void changes_whose_observer_fails_after_the_commit_are_answered_and_stored_once() {
        String app = registerApplication(api);
        double counted = service.metric("consent_changes_total");
        List<String> patients = IntStream.range(0, 24).mapToObj(i -> newPatient()).toList();
        List<CompletableFuture<Res>> answers = patients.stream().map(p -> CompletableFuture.supplyAsync(() ->
                api.put("/api/v1/me/consents/" + app + "/CARE", Tokens.patient(p), decision("GRANTED", 1)))).toList();

        for (CompletableFuture<Res> answer : answers) {
            Res res = answer.join();
            assertThat(res.status()).as(res.toString()).isEqualTo(200);
            assertThat(res.num("consent.version")).isEqualTo(1);
        }
        for (String patient : patients) {
            assertThat(service.count("SELECT COUNT(*) FROM consent_event WHERE patient_id = '" + patient + "'"))
                    .as(patient).isEqualTo(1);
            assertThat(service.count("SELECT COUNT(*) FROM consent_change WHERE patient_id = '" + patient + "'"))
                    .as(patient).isEqualTo(1);
        }
        assertThat(service.context().getBean(FailingObserver.class).failures()).isPositive();
        // Told after the failing one, the metrics' observer counted every event all the same.
        double changes = service.metric("consent_changes_total");
        assertThat(changes - (Double.isNaN(counted) ? 0 : counted)).isEqualTo(patients.size());
    }
}
