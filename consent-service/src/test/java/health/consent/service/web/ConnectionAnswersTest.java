package health.consent.service.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.compression.Brotli;
import io.netty.handler.codec.compression.Zstd;
import org.junit.jupiter.api.Test;

/** The compression an answer made at the connection gets: the framework's choice, or the framework's to make. */
class ConnectionAnswersTest {

    @Test
    void gzip_is_chosen_as_the_framework_chooses_it_and_anything_it_may_choose_otherwise_is_its_own() {
        assertThat(ConnectionAnswers.gzip((String) null)).as("no header: no compression").isFalse();
        assertThat(ConnectionAnswers.gzip("gzip")).isTrue();
        assertThat(ConnectionAnswers.gzip("identity")).isFalse();
        assertThat(ConnectionAnswers.gzip("GZIP")).as("read case-sensitively, as the framework reads it").isFalse();
        assertThat(ConnectionAnswers.gzip("gzip;q=0")).as("weights").isNull();
        assertThat(ConnectionAnswers.gzip("*")).isNull();
        assertThat(ConnectionAnswers.gzip("deflate")).as("deflate without gzip").isNull();
        assertThat(ConnectionAnswers.gzip("snappy, gzip")).as("snappy, which the framework prefers").isNull();
        boolean preferred = Brotli.isAvailable() || Zstd.isAvailable();
        assertThat(ConnectionAnswers.gzip("gzip, deflate, br, zstd")).as("a browser's list")
                .isEqualTo(preferred ? null : Boolean.TRUE);
    }
}
