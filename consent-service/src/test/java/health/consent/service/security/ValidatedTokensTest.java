package health.consent.service.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.micronaut.security.authentication.Authentication;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ValidatedTokensTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final ValidatedTokens tokens = new ValidatedTokens(now::get);

    private Authentication expiringIn(long millis) {
        return Authentication.build("p-1", List.of(Roles.PATIENT), Map.of("exp", (now.get() + millis) / 1000));
    }

    @Test
    void a_token_is_answered_until_it_expires_and_never_after() {
        tokens.remember("t", expiringIn(60_000));
        assertThat(tokens.known("t")).isNotNull();
        assertThat(tokens.known("t ")).as("only the exact bytes").isNull();
        now.addAndGet(60_000);
        assertThat(tokens.known("t")).isNull();
    }

    @Test
    void a_token_is_kept_ten_minutes_at_most_even_when_it_lives_longer() {
        tokens.remember("t", expiringIn(3_600_000));
        now.addAndGet(10 * 60_000 - 1);
        assertThat(tokens.known("t")).isNotNull();
        now.addAndGet(1);
        assertThat(tokens.known("t")).isNull();
    }

    @Test
    void when_full_the_expired_tokens_go_first_and_the_others_stay() {
        for (int i = 0; i < ValidatedTokens.CAPACITY - 1; i++) {
            tokens.remember("old-" + i, expiringIn(1_000));
        }
        tokens.remember("live", expiringIn(3_600_000));
        now.addAndGet(1_000);
        tokens.remember("new", expiringIn(3_600_000));
        assertThat(tokens.size()).isEqualTo(2);
        assertThat(tokens.known("live")).isNotNull();
        assertThat(tokens.known("new")).isNotNull();
    }

    @Test
    void when_full_of_live_tokens_half_go_and_the_cache_never_empties() {
        for (int i = 0; i < ValidatedTokens.CAPACITY; i++) {
            tokens.remember("t-" + i, expiringIn(3_600_000));
        }
        tokens.remember("one-more", expiringIn(3_600_000));
        assertThat(tokens.size()).isEqualTo(ValidatedTokens.CAPACITY / 2 + 1);
        assertThat(tokens.known("one-more")).isNotNull();
        long stillKnown = java.util.stream.IntStream.range(0, ValidatedTokens.CAPACITY)
                .filter(i -> tokens.known("t-" + i) != null).count();
        assertThat(stillKnown).isEqualTo(ValidatedTokens.CAPACITY / 2);
    }
}
