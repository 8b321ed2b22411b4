package health.consent.service.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** PostgreSQL's binary COPY format, as its documentation gives it (the stored rows are checked on PostgreSQL by the log's tests). */
class CopyRowsTest {

    @Test
    void rows_are_the_signature_then_each_value_by_its_length_and_the_end_mark() {
        CopyRows rows = new CopyRows(0);
        rows.row(5).text("Émilie").nullValue().bigint(-2).integer(7).timestamptz(Instant.parse("2000-01-01T00:00:01.000002Z"));
        rows.finish().finish();
        ByteBuffer b = ByteBuffer.wrap(Arrays.copyOf(rows.bytes(), rows.length()));
        byte[] signature = new byte[11];
        b.get(signature);
        assertThat(signature).isEqualTo(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0});
        assertThat(b.getInt()).as("flags").isZero();
        assertThat(b.getInt()).as("header extension").isZero();
        assertThat(b.getShort()).as("columns").isEqualTo((short) 5);
        byte[] name = "Émilie".getBytes(StandardCharsets.UTF_8);
        assertThat(b.getInt()).isEqualTo(name.length);
        byte[] text = new byte[name.length];
        b.get(text);
        assertThat(text).isEqualTo(name);
        assertThat(b.getInt()).as("NULL").isEqualTo(-1);
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getLong()).isEqualTo(-2);
        assertThat(b.getInt()).isEqualTo(4);
        assertThat(b.getInt()).isEqualTo(7);
        assertThat(b.getInt()).isEqualTo(8);
        assertThat(b.getLong()).as("microseconds since 2000").isEqualTo(1_000_002);
        assertThat(b.getShort()).as("the end, once").isEqualTo((short) -1);
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void a_time_before_2000_is_negative_and_one_finer_than_the_microsecond_is_refused() {
        CopyRows rows = new CopyRows(0).timestamptz(Instant.parse("1999-12-31T23:59:59.999999Z"));
        assertThat(ByteBuffer.wrap(rows.bytes(), 19 + 4, 8).getLong()).isEqualTo(-1);
        assertThatThrownBy(() -> rows.timestamptz(Instant.parse("2026-12-02T10:00:00.000000001Z")))
                .isInstanceOf(IllegalArgumentException.class);
        rows.finish();
        assertThatThrownBy(() -> rows.text("late")).isInstanceOf(IllegalStateException.class);
    }
}
