package health.consent.service.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The group commit's mechanics, without a database: who waits, what is written together, what a failure costs whom. */
class GroupCommitTest {

    /** Items written by groups, and alone, in the order they were. */
    private final List<List<String>> groups = new CopyOnWriteArrayList<>();
    private final List<String> alone = new CopyOnWriteArrayList<>();
    private final List<Integer> taken = new CopyOnWriteArrayList<>();
    /** Holds the item "hold" inside its write until released. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<GroupCommit<String, String>> opened = new ArrayList<>();

    @AfterEach
    void close() {
        release.countDown();
        opened.forEach(GroupCommit::close);
    }

    private GroupCommit<String, String> commits(int committers, int maxGroup, Function<List<String>, List<String>> group,
                                                Function<String, String> one) {
        return commits(committers, maxGroup, Duration.ofMinutes(1), group, one, taken::add);
    }

    private GroupCommit<String, String> commits(int committers, int maxGroup, Duration maxWait,
                                                Function<List<String>, List<String>> group,
                                                Function<String, String> one, IntConsumer written) {
        GroupCommit<String, String> commit = new GroupCommit<>("test-writes", committers, maxGroup, maxWait, group, one,
                written);
        opened.add(commit);
        return commit;
    }

    private List<String> writeGroup(List<String> items) {
        groups.add(List.copyOf(items));
        return items.stream().map(i -> "written " + i).toList();
    }

    private String writeAlone(String item) {
        if (item.equals("hold")) {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }
        if (item.startsWith("bad")) {
            throw new IllegalArgumentException("cannot write " + item);
        }
        alone.add(item);
        return "alone " + item;
    }

    private static CompletableFuture<String> submit(GroupCommit<String, String> commit, String item) {
        return commit.submit(item);
    }

    /** Submits the item and waits for its answer, throwing the write's failure as it was thrown. */
    private static String write(GroupCommit<String, String> commit, String item) {
        try {
            return commit.submit(item).join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** The item "hold", written by the only committer and held there (released by {@link #release}). */
    private CompletableFuture<String> holding;

    /** One committer, held by the item "hold", and items allowed {@code maxWait} for it. */
    private GroupCommit<String, String> heldWithWait(Duration maxWait) {
        GroupCommit<String, String> commit = commits(1, 10, maxWait, this::writeGroup, this::writeAlone, taken::add);
        holding = submit(commit, "hold");
        await().until(() -> taken.contains(1));
        return commit;
    }

    /** Submits the items while the only committer is held, one after the other, so that they wait in this order. */
    private List<CompletableFuture<String>> queueBehindHold(GroupCommit<String, String> commit, List<String> items) {
        CompletableFuture<String> hold = submit(commit, "hold");
        await().until(() -> taken.contains(1) && commit.waiting() == 0);
        List<CompletableFuture<String>> answers = new ArrayList<>();
        answers.add(hold);
        for (String item : items) {
            answers.add(submit(commit, item));
            int waiting = answers.size() - 1;
            await().until(() -> commit.waiting() == waiting);
        }
        return answers;
    }

    @Test
    void an_item_that_waits_alone_is_written_alone_at_once() {
        GroupCommit<String, String> commit = commits(2, 10, this::writeGroup, this::writeAlone);
        assertThat(write(commit, "a")).isEqualTo("alone a");
        assertThat(groups).isEmpty();
        assertThat(taken).containsExactly(1);
    }

    @Test
    void items_that_arrive_while_a_write_runs_are_written_together_in_their_order() {
        GroupCommit<String, String> commit = commits(1, 10, this::writeGroup, this::writeAlone);
        List<CompletableFuture<String>> answers = queueBehindHold(commit, List.of("a", "b", "c", "d", "e"));
        assertThat(groups).isEmpty();
        release.countDown();
        assertThat(answers.stream().map(CompletableFuture::join))
                .containsExactly("alone hold", "written a", "written b", "written c", "written d", "written e");
        assertThat(groups).containsExactly(List.of("a", "b", "c", "d", "e"));
        assertThat(taken).containsExactly(1, 5);
    }

    @Test
    void a_group_holds_at_most_its_bound() {
        GroupCommit<String, String> commit = commits(1, 3, this::writeGroup, this::writeAlone);
        List<CompletableFuture<String>> answers = queueBehindHold(commit, List.of("a", "b", "c", "d", "e", "f", "g"));
        release.countDown();
        answers.forEach(CompletableFuture::join);
        assertThat(taken).containsExactly(1, 3, 3, 1);
        assertThat(groups).containsExactly(List.of("a", "b", "c"), List.of("d", "e", "f"));
        // The seventh, taken alone, is written as an item that waited alone.
        assertThat(alone).containsExactly("hold", "g");
    }

    @Test
    void a_group_that_fails_is_written_item_by_item_and_only_the_failing_item_fails() {
        GroupCommit<String, String> commit = commits(1, 10, items -> {
            throw new IllegalStateException("the group fails");
        }, this::writeAlone);
        List<CompletableFuture<String>> answers = queueBehindHold(commit, List.of("a", "bad-b", "c"));
        release.countDown();
        assertThat(answers.get(1).join()).isEqualTo("alone a");
        assertThat(answers.get(3).join()).isEqualTo("alone c");
        assertThatThrownBy(() -> answers.get(2).join()).hasRootCauseInstanceOf(IllegalArgumentException.class)
                .hasRootCauseMessage("cannot write bad-b");
        assertThat(alone).containsExactlyInAnyOrder("hold", "a", "c");
    }

    @Test
    void a_database_out_of_reach_fails_the_whole_group_without_writing_any_item_again() {
        RuntimeException unreachable = new RuntimeException(new SQLTransientConnectionException("pool timeout"));
        GroupCommit<String, String> commit = commits(1, 10, items -> {
            throw unreachable;
        }, this::writeAlone);
        List<CompletableFuture<String>> answers = queueBehindHold(commit, List.of("a", "b"));
        release.countDown();
        assertThat(answers.get(0).join()).isEqualTo("alone hold");
        for (CompletableFuture<String> answer : answers.subList(1, 3)) {
            assertThatThrownBy(answer::join).hasCause(unreachable);
        }
        assertThat(alone).containsExactly("hold");
    }

    @Test
    void when_the_database_goes_out_of_reach_while_a_failed_group_is_written_again_the_rest_fail_at_once() {
        RuntimeException unreachable = new RuntimeException(new SQLTransientConnectionException("pool timeout"));
        GroupCommit<String, String> commit = commits(1, 10, items -> {
            throw new IllegalStateException("the group fails");
        }, item -> {
            if (item.equals("down")) {
                throw unreachable;
            }
            return writeAlone(item);
        });
        List<CompletableFuture<String>> answers = queueBehindHold(commit, List.of("a", "down", "b", "c"));
        release.countDown();
        assertThat(answers.get(1).join()).isEqualTo("alone a");
        for (CompletableFuture<String> answer : answers.subList(2, 5)) {
            assertThatThrownBy(answer::join).hasCause(unreachable);
        }
        assertThat(alone).containsExactly("hold", "a");
    }

    @Test
    void a_caller_gets_the_failure_of_its_own_write_as_thrown() {
        GroupCommit<String, String> commit = commits(1, 10, this::writeGroup, this::writeAlone);
        assertThatThrownBy(() -> write(commit, "bad")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot write bad");
        assertThat(write(commit, "good")).isEqualTo("alone good");
    }

    @Test
    void closing_waits_for_the_write_under_way_stops_every_committer_and_refuses_what_comes_after() {
        GroupCommit<String, String> commit = commits(3, 10, this::writeGroup, this::writeAlone);
        CompletableFuture<String> hold = submit(commit, "hold");
        await().until(() -> taken.contains(1));
        CompletableFuture<Void> closing = CompletableFuture.runAsync(commit::close);
        await().until(commit::isClosed);
        assertThatThrownBy(() -> write(commit, "late")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        // Closed to new writes, but still waiting for the one under way.
        assertThat(closing).isNotDone();
        assertThat(hold).isNotDone();
        // The held committer's signal to stop waits in the queue: it is not an item waiting.
        assertThat(commit.waiting()).isZero();
        release.countDown();
        closing.join();
        assertThat(hold.join()).isEqualTo("alone hold");
        assertThat(alone).isEqualTo(Collections.singletonList("hold"));
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().startsWith("test-writes-"));
    }

    @Test
    void an_item_no_committer_takes_in_time_is_answered_unavailable_and_never_written() {
        GroupCommit<String, String> commit = heldWithWait(Duration.ofMillis(200));
        assertThatThrownBy(() -> write(commit, "late")).isInstanceOf(DatabaseUnavailableException.class);
        release.countDown();
        assertThat(holding.join()).isEqualTo("alone hold");
        assertThat(write(commit, "next")).isEqualTo("alone next");
        assertThat(alone).containsExactly("hold", "next");
        assertThat(groups).isEmpty();
    }

    @Test
    void an_item_that_timed_out_no_longer_counts_as_waiting() {
        GroupCommit<String, String> commit = heldWithWait(Duration.ofMillis(200));
        assertThatThrownBy(() -> write(commit, "late")).isInstanceOf(DatabaseUnavailableException.class);
        assertThat(commit.waiting()).isZero();
    }

    @Test
    void items_that_time_out_by_the_thousand_are_answered_and_cleared_from_the_queue() {
        GroupCommit<String, String> commit = heldWithWait(Duration.ofMillis(100));
        List<CompletableFuture<String>> late = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            late.add(submit(commit, "late-" + i));
        }
        await().until(() -> late.stream().allMatch(CompletableFuture::isDone));
        assertThat(late).allMatch(CompletableFuture::isCompletedExceptionally);
        assertThatThrownBy(() -> late.get(0).join()).hasCauseInstanceOf(DatabaseUnavailableException.class);
        assertThat(commit.waiting()).isZero();
        // Cleared once a thousand or so were answered, not one by one: fewer than that remain.
        assertThat(commit.queued()).isLessThan(1_024);
        release.countDown();
        assertThat(write(commit, "after")).isEqualTo("alone after");
        assertThat(alone).containsExactly("hold", "after");
    }

    @Test
    void an_error_from_a_group_fails_its_items_without_writing_them_again() {
        AssertionError error = new AssertionError("an observer broke after the commit");
        GroupCommit<String, String> commit = commits(1, 10, items -> {
            throw error;
        }, this::writeAlone);
        List<CompletableFuture<String>> answers = queueBehindHold(commit, List.of("a", "b"));
        release.countDown();
        for (CompletableFuture<String> answer : answers.subList(1, 3)) {
            assertThatThrownBy(answer::join).hasCause(error);
        }
        assertThat(alone).containsExactly("hold");
    }

    @Test
    void a_committer_outlives_a_failure_outside_the_write_and_answers_its_items_with_it() {
        List<Integer> told = new CopyOnWriteArrayList<>();
        GroupCommit<String, String> commit = commits(1, 10, Duration.ofMinutes(1), this::writeGroup, this::writeAlone,
                n -> {
                    told.add(n);
                    if (told.size() == 1) {
                        throw new IllegalStateException("a meter failed");
                    }
                });
        assertThatThrownBy(() -> write(commit, "a")).isInstanceOf(IllegalStateException.class)
                .hasMessage("a meter failed");
        assertThat(write(commit, "b")).isEqualTo("alone b");
    }
}
