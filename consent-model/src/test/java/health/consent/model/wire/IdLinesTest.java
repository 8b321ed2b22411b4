package health.consent.model.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdLinesTest {

    @Test
    void each_id_is_written_as_its_ascii_bytes_followed_by_a_line_break() {
        List<String> ids = List.of("a", "ins:1.2.250_x-9", "Z".repeat(64));
        assertThat(new String(IdLines.encode(ids), StandardCharsets.US_ASCII)).isEqualTo(String.join("\n", ids) + "\n");
        assertThat(IdLines.encode(List.of())).isEmpty();
    }

    @Test
    void a_character_beyond_ascii_is_refused_rather_than_cut_to_another_byte() {
        assertThatThrownBy(() -> IdLines.encode(List.of("ok", "caf\u00e9"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IdLines.encode(List.of("\u0130"))).isInstanceOf(IllegalArgumentException.class);
    }
}
