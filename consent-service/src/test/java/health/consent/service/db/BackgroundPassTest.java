package health.consent.service.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The background pass's timing promises: a wake runs a pass soon, and the wakes that follow it join that pass. */
class BackgroundPassTest {

    private static final Duration COALESCE = Duration.ofMillis(300);
    private static final Duration TICK = Duration.ofMinutes(10);

    private final AtomicInteger passes = new AtomicInteger();
    private final AtomicLong firstPassAt = new AtomicLong();
    private BackgroundPass pass;

    @AfterEach
    void stop() throws InterruptedException {
        if (pass != null) {
            pass.stop();
        }
    }

    private void start(Duration coalesce) {
        pass = new BackgroundPass("test-pass", TICK, coalesce, () -> {
            firstPassAt.compareAndSet(0, System.nanoTime());
            passes.incrementAndGet();
        }, LoggerFactory.getLogger(BackgroundPassTest.class));
        pass.start();
    }

    @Test
    void wakesArrivingWhileAPassWaitsJoinItRatherThanCuttingItsWaitShort() {
        start(COALESCE);
        long firstWake = System.nanoTime();
        pass.wake();
        // Writes keep arriving, each waking the pass, as under load: they must not run it before its wait is over.
        while (passes.get() == 0) {
            pass.wake();
            Thread.onSpinWait();
        }
        assertThat(Duration.ofNanos(firstPassAt.get() - firstWake)).isGreaterThanOrEqualTo(COALESCE);
    }

    @Test
    void aWakeRunsAPassWithoutWaitingForTheTick() {
        start(COALESCE);
        pass.wake();
        // The tick is ten minutes: only the wake can have run it.
        await().atMost(Duration.ofSeconds(10)).until(() -> passes.get() == 1);
    }

    @Test
    void withoutCoalescingAWakeRunsAPassAtOnce() {
        start(Duration.ZERO);
        pass.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> passes.get() == 1);
    }

    @Test
    void stoppingEndsAWaitAtOnce() throws InterruptedException {
        start(Duration.ofMinutes(10));
        pass.wake();
        pass.stop();
        // stop() waits five seconds at most for the thread: it must have ended, not been given up on.
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("test-pass") && t.isAlive());
        assertThat(passes.get()).isZero();
    }
}
