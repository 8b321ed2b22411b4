package health.consent.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A cohort's ids are sorted with their places, the answers marked beside them, and the permitted
 * put back in the order given: the result is what hashing gave, whatever the order of the answers.
 */
class CohortTest {

    private static final Random RANDOM = new Random(20261203);

    /** Ids with duplicates, invalid ones, and characters that sort differently by case and punctuation. */
    private static List<String> given(int count) {
        List<String> ids = new ArrayList<>();
        String[] prefixes = {"A", "a", "B", "_", "-", "0", "z", ".", ":"};
        for (int i = 0; i < count; i++) {
            int kind = RANDOM.nextInt(20);
            if (kind == 0 && !ids.isEmpty()) {
                ids.add(ids.get(RANDOM.nextInt(ids.size())));
            } else if (kind == 1) {
                ids.add("not valid " + i);
            } else {
                ids.add(prefixes[RANDOM.nextInt(prefixes.length)] + "p-" + RANDOM.nextInt(count * 2));
            }
        }
        return ids;
    }

    /** What the service would permit: about half the valid ids, decided by the id alone. */
    private static boolean permits(String id) {
        return !id.contains(" ") && (id.hashCode() & 1) == 0;
    }

    /** Filters {@code given} with answers of each part as {@code answer} makes them from the part's permitted ids. */
    private static Set<String> filter(List<String> given, int partBytes, boolean shuffle, boolean strangers) {
        Cohort cohort = new Cohort(given);
        for (Cohort.Part part : cohort.parts(partBytes)) {
            List<String> answer = new ArrayList<>(part.ids().stream().filter(CohortTest::permits).toList());
            if (strangers) {
                // Ids never asked, before, among and after the others: never permitted.
                answer.add(0, "!never-asked");
                answer.add(answer.size() / 2, part.ids().get(0) + "x");
                answer.add("~never-asked");
            }
            if (shuffle) {
                Collections.shuffle(answer, RANDOM);
            }
            cohort.permit(part, answer);
        }
        return cohort.permitted();
    }

    private static Set<String> expected(List<String> given) {
        Set<String> expected = new LinkedHashSet<>();
        for (String id : given) {
            if (permits(id)) {
                expected.add(id);
            }
        }
        return expected;
    }

    @Test
    void the_permitted_come_back_in_the_order_given_each_once_however_the_answers_are_ordered() {
        for (int round = 0; round < 50; round++) {
            List<String> given = given(1 + RANDOM.nextInt(3_000));
            Set<String> expected = expected(given);
            int partBytes = 20 + RANDOM.nextInt(5_000);
            for (boolean shuffle : new boolean[] {false, true}) {
                for (boolean strangers : new boolean[] {false, true}) {
                    Set<String> permitted = filter(given, partBytes, shuffle, strangers);
                    assertThat(permitted).as("round %d, shuffled %s, strangers %s", round, shuffle, strangers)
                            .containsExactlyElementsOf(expected);
                    assertThat(permitted).isEqualTo(expected).hasSameHashCodeAs(expected);
                    for (String id : given) {
                        assertThat(permitted.contains(id)).as(id).isEqualTo(expected.contains(id));
                    }
                    assertThat(permitted.contains("!never-asked")).isFalse();
                    assertThat(permitted.contains(given.get(0) + "x")).isFalse();
                }
            }
        }
    }

    @Test
    void parts_hold_every_distinct_id_once_in_order_within_the_bytes_given() {
        List<String> given = given(5_000);
        Cohort cohort = new Cohort(given);
        List<String> sent = new ArrayList<>();
        for (Cohort.Part part : cohort.parts(1_000)) {
            assertThat(part.ids().stream().mapToInt(id -> id.length() + 1).sum()).isLessThanOrEqualTo(1_000);
            assertThat(part.from()).as("where the part starts").isEqualTo(sent.size());
            sent.addAll(part.ids());
        }
        assertThat(sent).isSorted().doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(new LinkedHashSet<>(given.stream().filter(id -> !id.contains(" ")).toList()));
    }

    @Test
    void nothing_given_or_nothing_valid_gives_an_empty_set_and_the_result_cannot_be_changed() {
        assertThat(new Cohort(List.of()).parts(1_000)).isEmpty();
        assertThat(new Cohort(List.of()).permitted()).isEmpty();
        Cohort invalid = new Cohort(List.of("not valid", ""));
        assertThat(invalid.parts(1_000)).isEmpty();
        assertThat(invalid.permitted()).isEmpty();

        Cohort cohort = new Cohort(List.of("p-2", "p-1"));
        cohort.permit(cohort.parts(1_000).get(0), List.of("p-1", "p-2"));
        Set<String> permitted = cohort.permitted();
        assertThat(permitted).containsExactly("p-2", "p-1");
        assertThatThrownBy(() -> permitted.add("p-8")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> permitted.remove(permitted.iterator().next()))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(permitted::clear).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void an_answer_in_the_order_asked_is_read_back_as_the_ids_asked_and_any_other_line_as_it_is() {
        List<String> asked = new ArrayList<>(new java.util.TreeSet<>(given(2_000).stream().filter(id -> !id.contains(" ")).toList()));
        List<String> answered = asked.stream().filter(CohortTest::permits).toList();
        List<String> lines = HttpConnection.permittedLines(String.join("\n", answered) + "\n", asked);
        assertThat(lines).containsExactlyElementsOf(answered);
        for (int i = 0; i < lines.size(); i++) {
            assertThat(lines.get(i)).as("the asked id itself, no new string").isSameAs(asked.get(asked.indexOf(answered.get(i))));
        }

        List<String> shuffled = new ArrayList<>(answered);
        shuffled.add("~never-asked");
        shuffled.add(asked.get(0) + "x");
        Collections.shuffle(shuffled, RANDOM);
        assertThat(HttpConnection.permittedLines(String.join("\n", shuffled), asked)).containsExactlyElementsOf(shuffled);
        assertThat(HttpConnection.permittedLines("", asked)).isEmpty();
        assertThat(HttpConnection.permittedLines("\n\n", asked)).isEmpty();
    }

    @Test
    void ids_are_ordered_as_strings_whatever_prefix_they_share_and_wherever_they_differ() {
        List<List<String>> shapes = new ArrayList<>();
        shapes.add(List.of());
        shapes.add(List.of("only"));
        shapes.add(List.of("b", "a"));
        shapes.add(List.of("same", "same", "same"));
        shapes.add(List.of("a", "ab", "abc", "abcd", "ab", "a", "abcdefghijklmnop", "abcdefghijklmnoq", "abcdefghijklmno"));
        // A long prefix shared by all, then differences past the characters a number holds, and ids that end early.
        List<String> deep = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            deep.add("ins:1.2.250.1.213.1.4.8-" + "0".repeat(RANDOM.nextInt(12)) + RANDOM.nextInt(500));
        }
        shapes.add(deep);
        List<String> mixed = new ArrayList<>(given(20_000));
        mixed.removeIf(id -> id.contains(" "));
        shapes.add(mixed);
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 300_000; i++) {
            many.add("p-" + RANDOM.nextInt(1_000_000));
        }
        shapes.add(many);
        // The prefix all share shrinks only at the last id, to an id that sorts among the others: the
        // numbers made before are made again.
        List<String> late = new ArrayList<>(deep);
        late.add("ins:5");
        shapes.add(late);
        // One id unlike the others leaves no shared prefix: the rest tie on their first characters and
        // are numbered again from where they differ, level after level.
        List<String> odd = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            odd.add("cohort-" + RANDOM.nextInt(200_000));
            odd.add("ins:1.2.250.1.213.1.4.8-" + RANDOM.nextInt(1_000_000));
        }
        odd.add("x1");
        Collections.shuffle(odd, RANDOM);
        shapes.add(odd);
        for (List<String> shape : shapes) {
            Cohort cohort = new Cohort(shape);
            assertThat(cohort.sortedIds()).as("%d ids", shape.size()).isEqualTo(shape.stream().distinct().sorted().toList());
            // Every id permitted: the set is every distinct id, in the order given.
            for (Cohort.Part part : cohort.parts(Integer.MAX_VALUE)) {
                cohort.permit(part, part.ids());
            }
            assertThat(cohort.permitted()).containsExactlyElementsOf(new LinkedHashSet<>(shape));
        }
    }
}
