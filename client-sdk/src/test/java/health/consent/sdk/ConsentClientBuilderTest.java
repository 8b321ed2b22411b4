package health.consent.sdk;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConsentClientBuilderTest {

    @Test
    void build_names_every_missing_or_wrong_setting() {
        assertThatThrownBy(() -> ConsentClient.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("baseUrl is required").hasMessageContaining("token is required");
        assertThatThrownBy(() -> ConsentClient.builder().baseUrl("ftp://x").token("t")
                .staleAfter(Duration.ofMillis(10)).cacheSize(0).accessRecordBatchSize(5000)
                .requestTimeout(Duration.ZERO).build())
                .hasMessageContaining("http or https").hasMessageContaining("staleAfter")
                .hasMessageContaining("cacheSize").hasMessageContaining("accessRecordBatchSize")
                .hasMessageContaining("requestTimeout");
        assertThatThrownBy(() -> ConsentClient.builder().baseUrl("not a url").token("t").build())
                .hasMessageContaining("baseUrl");
    }
}
