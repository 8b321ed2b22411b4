package health.consent.service.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The background pass's timing promises: a wake runs a pass without waiting for the tick, the
 * wakes that follow it within its coalescing time join that pass, a wake during a pass asks for
 * another, and stopping ends a wait.
 */
class BackgroundPassTest {

    private static final Duration COALESCE = Duration.ofMillis(300);
    private static final Duration TICK = Duration.ofMinutes(10);

    /** Each test's thread by a name of its own. */
    private final String name = "test-pass-" + UUID.randomUUID();
    private final AtomicInteger passes = new AtomicInteger();
    private final AtomicLong firstPassAt = new AtomicLong();
    private BackgroundPass pass;

    @AfterEach
    void stop() throws InterruptedException {
        if (pass != null) {
            pass.stop();
        }
    }

    private BackgroundPass create(Duration coalesce, Runnable work) {
        pass = new BackgroundPass(name, TICK, coalesce, () -> {
            firstPassAt.compareAndSet(0, System.nanoTime());
            passes.incrementAndGet();
            work.run();
        }, LoggerFactory.getLogger(BackgroundPassTest.class));
        return pass;
    }

    private void start(Duration coalesce) {
        create(coalesce, () -> { }).start();
    }

    private Thread thread() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElse(null);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void wakesArrivingWhileAPassWaitsJoinItRatherThanCuttingItsWaitShort() {
        start(COALESCE);
        long firstWake = System.nanoTime();
        pass.wake();
        // Writes keep arriving, each waking the pass, as under load: they must not run it before its wait is over.
        while (passes.get() == 0) {
            pass.wake();
            Thread.onSpinWait();
        }
        long firstPass = firstPassAt.get();
        assertThat(Duration.ofNanos(firstPass - firstWake)).isGreaterThanOrEqualTo(COALESCE);
        // The wakes go on for less than a coalescing time after that pass: they wait for the next one, together.
        long until = firstPass + COALESCE.toNanos() * 2 / 3;
        while (System.nanoTime() < until) {
            pass.wake();
            Thread.onSpinWait();
        }
        assertThat(passes.get()).as("passes run while wakes kept arriving for %s", Duration.ofNanos(until - firstWake))
                .isEqualTo(1);
    }

    @Test
    void aWakeRunsAPassWithoutWaitingForTheTick() {
        start(COALESCE);
        pass.wake();
        // The tick is ten minutes: only the wake can have run it.
        await().atMost(Duration.ofSeconds(10)).until(() -> passes.get() >= 1);
    }

    @Test
    void withoutCoalescingAWakeRunsAPassWithoutWaitingForTheTick() {
        start(Duration.ZERO);
        pass.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> passes.get() >= 1);
    }

    @Test
    void aWakeDuringAPassAsksForAnother() throws InterruptedException {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        create(Duration.ofMillis(5), () -> {
            if (passes.get() == 1) {
                inFirst.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }).start();
        pass.wake();
        assertThat(inFirst.await(10, TimeUnit.SECONDS)).as("the first pass ran").isTrue();
        pass.wake();
        release.countDown();
        // The tick is ten minutes: only the wake made during the first pass can run a second.
        await().atMost(Duration.ofSeconds(10)).until(() -> passes.get() >= 2);
    }

    @Test
    void stoppingEndsTheCoalescingWait() throws InterruptedException {
        create(Duration.ofMinutes(10), () -> { });
        // Woken before it starts, the thread goes straight to the coalescing wait (ten minutes).
        pass.wake();
        pass.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Thread t = thread();
            return t != null && t.getState() == Thread.State.TIMED_WAITING;
        });
        pass.stop();
        // stop() waits five seconds at most for the thread: it must have ended, not been given up on.
        assertThat(thread()).as("the pass's thread after stop()").isNull();
        assertThat(passes.get()).isZero();
    }
}
