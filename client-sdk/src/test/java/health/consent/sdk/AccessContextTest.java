package health.consent.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AccessContextTest {

    @Test
    void an_access_context_names_a_real_actor_and_a_simple_category() {
        assertThat(AccessContext.of("analyst-7", "lab-results").actor()).isEqualTo("analyst-7");
        assertThatThrownBy(() -> AccessContext.of(" ", "lab")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccessContext.of("a\u0000b", "lab")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccessContext.of("a", "lab results")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccessContext.of("a".repeat(129), "lab")).isInstanceOf(IllegalArgumentException.class);
    }
}
