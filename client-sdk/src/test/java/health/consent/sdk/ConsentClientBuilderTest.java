package health.consent.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.consent.model.Purpose;
import health.consent.sdk.testing.TestData;
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

    @Test
    void a_data_source_replaces_the_base_url_and_the_token() {
        TestData data = new TestData().grant("p-1", Purpose.CARE);
        try (ConsentClient client = ConsentClient.builder().dataSource(data).build()) {
            assertThat(client.check("p-1", Purpose.CARE).permitted()).isTrue();
        }
        assertThatThrownBy(() -> ConsentClient.builder().dataSource(data).baseUrl("http://x").token("t").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("dataSource");
    }
}
