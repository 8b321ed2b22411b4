package health.consent.sdk.example;

import health.consent.model.Purpose;
import health.consent.sdk.AccessContext;
import health.consent.sdk.ConsentClient;
import health.consent.sdk.ConsentDeniedException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The README's example: a catalogue application's statistics job. */
public class StatisticsJob {

    private final ConsentClient consents;

    public StatisticsJob(ConsentClient consents) {
        this.consents = consents;
    }

    /** Averages the lab results of the patients who agreed to statistics; records every access. */
    public double averageGlucose(Map<String, List<Double>> readingsByPatient) {
        // One request per 10,000 ids: only patients who permit STATISTICS remain.
        Set<String> cohort = consents.filterPermitted(Purpose.STATISTICS, readingsByPatient.keySet());
        List<Double> values = new ArrayList<>();
        for (String patient : cohort) {
            try {
                // Checks again (from the cache), records the access, and reads the data only if permitted.
                values.addAll(consents.withConsent(patient, Purpose.STATISTICS,
                        AccessContext.of("stats-job", "glucose-readings"), () -> readingsByPatient.get(patient)));
            } catch (ConsentDeniedException withdrawnMeanwhile) {
                // The patient withdrew since the cohort was built: skip them; the denial is recorded too.
            }
        }
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    public static void main(String[] args) {
        try (ConsentClient consents = ConsentClient.builder()
                .baseUrl(System.getenv().getOrDefault("CONSENT_URL", "http://localhost:8080"))
                .token(() -> System.getenv("CONSENT_TOKEN"))
                .build()) {
            double average = new StatisticsJob(consents).averageGlucose(Map.of(
                    "patient-42", List.of(5.4, 6.1), "patient-43", List.of(7.2)));
            System.out.println("average glucose: " + average);
        }
    }
}
