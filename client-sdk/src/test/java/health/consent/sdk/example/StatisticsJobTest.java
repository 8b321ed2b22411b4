package health.consent.sdk.example;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.sdk.ConsentClient;
import health.consent.sdk.testing.TestData;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How an application tests its own code: the real client over test data, no server needed. */
class StatisticsJobTest {

    @Test
    void only_patients_who_agreed_to_statistics_are_counted_and_each_read_is_recorded() {
        TestData consents = new TestData()
                .grant("patient-42", Purpose.CARE).grant("patient-42", Purpose.STATISTICS)
                .grant("patient-43", Purpose.CARE);
        try (ConsentClient client = ConsentClient.builder().dataSource(consents).build()) {
            double average = new StatisticsJob(client).averageGlucose(Map.of(
                    "patient-42", List.of(5.0, 6.0), "patient-43", List.of(9.0)));
            assertThat(average).isEqualTo(5.5);
            assertThat(consents.accesses()).singleElement().satisfies(a -> {
                assertThat(a.patientId()).isEqualTo("patient-42");
                assertThat(a.outcome()).isEqualTo(Outcome.PERMIT);
                assertThat(a.dataCategory()).isEqualTo("glucose-readings");
            });
        }
    }
}
