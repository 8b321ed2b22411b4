package health.consent.sdk;

import health.consent.model.PatientId;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The ids of one {@link ConsentClient#filterPermitted}: sorted and without duplicates, to be sent
 * by ranges; the service's answers marked beside them; then the permitted ones put back in the
 * order given. A million ids are sorted once, with their places, so that nothing is hashed (hashing
 * a million ids twice, and collecting the garbage of it, cost more than the rest of the SDK's
 * work on a cohort, measured).
 */
final class Cohort {

    /** A valid id given, and its place among the valid ids given. */
    private record Given(String id, int at) {
    }

    private static final Comparator<Given> BY_ID = (a, b) -> a.id.compareTo(b.id);

    /** The distinct valid ids, sorted by {@link String#compareTo} (their bytes' order: patient ids are ASCII). */
    private final String[] sorted;
    /** For each valid id given, in the order given, its position in {@link #sorted}. */
    private final int[] rank;
    /** Whether the id at each position of {@link #sorted} permits. */
    private final boolean[] permitted;

    Cohort(Collection<String> patientIds) {
        Given[] given = new Given[patientIds.size()];
        int valid = 0;
        for (String id : patientIds) {
            if (PatientId.isValid(id)) {
                given[valid] = new Given(id, valid);
                valid++;
            }
        }
        given = valid == given.length ? given : Arrays.copyOf(given, valid);
        Arrays.parallelSort(given, BY_ID);
        String[] ids = new String[valid];
        rank = new int[valid];
        int distinct = 0;
        for (Given g : given) {
            if (distinct == 0 || !ids[distinct - 1].equals(g.id)) {
                ids[distinct++] = g.id;
            }
            rank[g.at] = distinct - 1;
        }
        sorted = Arrays.copyOf(ids, distinct);
        permitted = new boolean[distinct];
    }

    /** The distinct ids, sorted, in parts of at most {@code bytes} bytes of ids, each with a line break. */
    List<List<String>> parts(int bytes) {
        List<String> ids = Arrays.asList(sorted);
        List<List<String>> parts = new ArrayList<>();
        for (int from = 0, to = 0, size = 0; to <= sorted.length; to++) {
            if (to == sorted.length || size + sorted[to].length() + 1 > bytes) {
                if (to > from) {
                    parts.add(ids.subList(from, to));
                }
                from = to;
                size = 0;
            }
            if (to < sorted.length) {
                size += sorted[to].length() + 1;
            }
        }
        return parts;
    }

    /**
     * Marks the ids of the part starting at {@code from} (as {@link #parts} made it) that {@code answer}
     * names. The service answers in the ids' order, so this is a walk beside them; an id out of that
     * order is searched for, and one not asked in the part is ignored.
     */
    void permit(int from, List<String> part, List<String> answer) {
        int to = from + part.size();
        int i = from;
        for (String id : answer) {
            while (i < to && sorted[i].compareTo(id) < 0) {
                i++;
            }
            if (i < to && sorted[i].equals(id)) {
                permitted[i] = true;
            } else {
                int at = Arrays.binarySearch(sorted, from, to, id);
                if (at >= 0) {
                    permitted[at] = true;
                }
            }
        }
    }

    /** The ids marked, in the order given, each once. */
    Set<String> permitted() {
        int count = 0;
        for (boolean p : permitted) {
            count += p ? 1 : 0;
        }
        String[] bySort = new String[count];
        for (int i = 0, j = 0; i < sorted.length; i++) {
            if (permitted[i]) {
                bySort[j++] = sorted[i];
            }
        }
        String[] inOrder = new String[count];
        boolean[] taken = new boolean[sorted.length];
        for (int g = 0, j = 0; g < rank.length; g++) {
            int r = rank[g];
            if (permitted[r] && !taken[r]) {
                taken[r] = true;
                inOrder[j++] = sorted[r];
            }
        }
        return new Permitted(inOrder, bySort);
    }

    /** An unmodifiable set iterated in the order given; {@code contains} searches the ids sorted. */
    private static final class Permitted extends AbstractSet<String> {

        private final String[] inOrder;
        private final String[] sorted;

        Permitted(String[] inOrder, String[] sorted) {
            this.inOrder = inOrder;
            this.sorted = sorted;
        }

        @Override
        public Iterator<String> iterator() {
            return Arrays.asList(inOrder).iterator();
        }

        @Override
        public int size() {
            return inOrder.length;
        }

        @Override
        public boolean contains(Object o) {
            return o instanceof String id && Arrays.binarySearch(sorted, id) >= 0;
        }
    }
}
