package health.consent.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.Decision;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import org.junit.jupiter.api.Test;

class DecisionCacheTest {

    private static final Decision PERMIT = Decision.permit();
    private static final Decision WITHDRAWN = Decision.deny(Reason.WITHDRAWN);

    @Test
    void a_late_answer_never_brings_back_an_older_state() {
        DecisionCache cache = new DecisionCache(100);
        long epoch = cache.epoch(Purpose.STATISTICS);
        cache.apply("p-1", Purpose.STATISTICS, WITHDRAWN, 5);
        cache.putFetched("p-1", Purpose.STATISTICS, PERMIT, 4, epoch);
        cache.apply("p-1", Purpose.STATISTICS, PERMIT, 3);
        assertThat(cache.get("p-1", Purpose.STATISTICS).decision()).isEqualTo(WITHDRAWN);
        cache.apply("p-1", Purpose.STATISTICS, PERMIT, 6);
        assertThat(cache.get("p-1", Purpose.STATISTICS).decision()).isEqualTo(PERMIT);
    }

    @Test
    void an_answer_fetched_across_an_invalidation_is_not_kept() {
        DecisionCache cache = new DecisionCache(100);
        long before = cache.epoch(Purpose.STATISTICS);
        cache.invalidate(Purpose.STATISTICS);
        cache.putFetched("p-1", Purpose.STATISTICS, PERMIT, 1, before);
        assertThat(cache.get("p-1", Purpose.STATISTICS)).isNull();
        cache.putFetched("p-1", Purpose.STATISTICS, PERMIT, 1, cache.epoch(Purpose.STATISTICS));
        assertThat(cache.get("p-1", Purpose.STATISTICS).decision()).isEqualTo(PERMIT);
    }

    @Test
    void invalidating_one_purpose_keeps_the_others_and_a_null_purpose_clears_all() {
        DecisionCache cache = new DecisionCache(100);
        cache.apply("p-1", Purpose.CARE, PERMIT, 1);
        cache.apply("p-1", Purpose.STATISTICS, PERMIT, 1);
        cache.invalidate(Purpose.STATISTICS);
        assertThat(cache.get("p-1", Purpose.STATISTICS)).isNull();
        assertThat(cache.get("p-1", Purpose.CARE)).isNotNull();
        cache.invalidate(null);
        assertThat(cache.size()).isZero();
    }

    @Test
    void a_change_without_a_decision_forgets_the_answer() {
        DecisionCache cache = new DecisionCache(100);
        cache.apply("p-1", Purpose.CARE, PERMIT, 1);
        cache.apply("p-1", Purpose.CARE, null, 2);
        assertThat(cache.get("p-1", Purpose.CARE)).isNull();
    }

    @Test
    void the_cache_stays_within_its_capacity() {
        DecisionCache cache = new DecisionCache(1_000);
        for (int i = 0; i < 5_000; i++) {
            cache.apply("p-" + i, Purpose.values()[i % 4], PERMIT, 1);
        }
        assertThat(cache.size()).isLessThanOrEqualTo(1_000);
    }
}
