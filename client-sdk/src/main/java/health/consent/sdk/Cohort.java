package health.consent.sdk;

import health.consent.model.PatientId;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
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

    /** The distinct valid ids, sorted by {@link String#compareTo} (their bytes' order: patient ids are ASCII). */
    private final String[] sorted;
    /** For each valid id given, in the order given, its position in {@link #sorted}. */
    private final int[] rank;
    /** Whether the id at each position of {@link #sorted} permits. */
    private final boolean[] permitted;

    /**
     * Sorts the valid ids among {@code patientIds}. A comparison sort of a million strings in no
     * particular order (a map's keys, say) took most of a second, and as much again to carry their
     * places: each comparison reads two strings from wherever they lie in memory. So each id is
     * reduced to a number, from its characters after the prefix all the ids share, seven bits each,
     * as many as fit beside its place in 63 bits, in the same pass that checks it, while it is at
     * hand; the numbers sort in a fraction of the time, and only ids whose numbers are equal (the
     * same characters up to there) are compared as strings.
     */
    Cohort(Collection<String> patientIds) {
        String[] given = new String[patientIds.size()];
        int placeBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(given.length - 1));
        int chars = (63 - placeBits) / 7;
        long[] keys = new long[given.length];
        int valid = 0;
        int common = 0;
        // Numbers made before the shared prefix last shrank used a longer one: made again below.
        int settled = 0;
        for (String id : patientIds) {
            if (!PatientId.isValid(id)) {
                continue;
            }
            if (valid == 0) {
                common = id.length();
            } else {
                int shared = shared(given[0], id, common);
                if (shared < common) {
                    common = shared;
                    settled = valid;
                }
            }
            given[valid] = id;
            keys[valid] = key(id, common, chars) << placeBits | valid;
            valid++;
        }
        for (int i = 0; i < settled; i++) {
            keys[i] = key(given[i], common, chars) << placeBits | i;
        }
        Arrays.parallelSort(keys, 0, valid);
        String[] ids = new String[valid];
        rank = new int[valid];
        long place = (1L << placeBits) - 1;
        int distinct = 0;
        for (int from = 0, to; from < valid; from = to) {
            to = from + 1;
            while (to < valid && keys[to] >>> placeBits == keys[from] >>> placeBits) {
                to++;
            }
            if (to - from == 1) {
                // A number of its own: an id unlike any other.
                int at = (int) (keys[from] & place);
                ids[distinct] = given[at];
                rank[at] = distinct++;
                continue;
            }
            Integer[] tied = new Integer[to - from];
            for (int i = from; i < to; i++) {
                tied[i - from] = (int) (keys[i] & place);
            }
            Arrays.sort(tied, (a, b) -> given[a].compareTo(given[b]));
            for (int i = 0; i < tied.length; i++) {
                int at = tied[i];
                if (i == 0 || !given[at].equals(ids[distinct - 1])) {
                    ids[distinct++] = given[at];
                }
                rank[at] = distinct - 1;
            }
        }
        sorted = Arrays.copyOf(ids, distinct);
        permitted = new boolean[distinct];
    }

    /** How many of the first {@code most} characters {@code a} and {@code b} share. */
    private static int shared(String a, String b, int most) {
        int n = Math.min(most, b.length());
        for (int c = 0; c < n; c++) {
            if (a.charAt(c) != b.charAt(c)) {
                return c;
            }
        }
        return n;
    }

    /** {@code chars} characters of {@code id} from {@code from}, seven bits each; an id that has ended sorts before any character. */
    private static long key(String id, int from, int chars) {
        long key = 0;
        for (int c = from; c < from + chars; c++) {
            key = key << 7 | (c < id.length() ? id.charAt(c) : 0);
        }
        return key;
    }

    /** The distinct valid ids, sorted (for tests). */
    List<String> sortedIds() {
        return List.of(sorted);
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
