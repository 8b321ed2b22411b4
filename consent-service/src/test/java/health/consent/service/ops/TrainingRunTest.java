package health.consent.service.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The training run that {@code bin/consent-service} starts to make its class-data archive: the
 * service starts, every request of an ordinary day succeeds, and the process ends by itself, with
 * status 0 (the JVM then writes the archive; it can only archive classes from jars, so the archive
 * itself is checked where the packaged jar exists: the benchmark harness's footprint step, which
 * CI runs in quick mode).
 */
class TrainingRunTest {

    @Test
    void the_training_run_answers_its_requests_and_stops_by_itself() throws Exception {
        Path dir = Files.createTempDirectory("consent-training-");
        Path log = dir.resolve("training.log");
        ProcessBuilder builder = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "health.consent.service.Application"));
        builder.environment().put("CONSENT_TRAINING_RUN", "1");
        builder.environment().put("CONSENT_DATA_DIR", dir.resolve("data").toString());
        builder.environment().put("MICRONAUT_ENVIRONMENTS", "dev");
        builder.environment().remove("JDBC_URL");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        Process process = builder.start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("the training run ends by itself").isTrue();
        String output = Files.readString(log);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).doesNotContain("The training run failed").contains("Startup completed");
    }
}
