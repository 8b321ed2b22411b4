package health.consent.sdk;

import health.consent.model.PatientId;
import java.io.Serializable;
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
     * hand; the numbers sort in a fraction of the time, and ids whose numbers are equal (the same
     * characters up to there) are sorted again the same way from where their numbers stopped.
     */
    Cohort(Collection<String> patientIds) {
        // A copy first: a collection that changes meanwhile (a concurrent map's keys) has no fixed size.
        String[] given = patientIds.toArray(new String[0]);
        int placeBits = bits(given.length);
        int chars = (63 - placeBits) / 7;
        long[] keys = new long[given.length];
        int valid = 0;
        int common = 0;
        // Numbers made before the shared prefix last shrank used a longer one: made again below.
        int settled = 0;
        for (String id : given) {
            if (!PatientId.isValid(id)) {
                continue;
            }
            if (valid == 0) {
                common = id.length();
            } else {
                int shared = shared(given[0], id, 0, common);
                if (shared < common) {
                    common = shared;
                    settled = valid;
                }
            }
            // Valid ids move to the front, over ids already read.
            given[valid] = id;
            keys[valid] = key(id, common, chars) << placeBits | valid;
            valid++;
        }
        for (int i = 0; i < settled; i++) {
            keys[i] = key(given[i], common, chars) << placeBits | i;
        }
        int[] places = new int[valid];
        for (int i = 0; i < valid; i++) {
            places[i] = i;
        }
        boolean[] repeat = new boolean[valid];
        order(given, places, 0, keys, valid, placeBits, common + chars, repeat);
        String[] ids = new String[valid];
        rank = new int[valid];
        int distinct = 0;
        for (int i = 0; i < valid; i++) {
            int at = places[i];
            if (!repeat[i]) {
                ids[distinct++] = given[at];
            }
            rank[at] = distinct - 1;
        }
        sorted = Arrays.copyOf(ids, distinct);
        permitted = new boolean[distinct];
    }

    /** Ties fewer than this are sorted by comparing strings. */
    private static final int FEW = 32;

    /** The bits that number {@code n} places. */
    private static int bits(int n) {
        return Math.max(1, 32 - Integer.numberOfLeadingZeros(n - 1));
    }

    /**
     * Puts {@code places[from, from + n)} (places in {@code given}) in the order of the ids there,
     * given each one's number in {@code keys[0, n)}: its characters up to {@code depth}, seven bits
     * each, then its position in the slice in the low {@code placeBits}. Marks in {@code repeat}
     * each position, in the order made, whose id equals the one before.
     */
    private static void order(String[] given, int[] places, int from, long[] keys, int n, int placeBits, int depth,
                              boolean[] repeat) {
        Arrays.parallelSort(keys, 0, n);
        int[] slice = Arrays.copyOfRange(places, from, from + n);
        long position = (1L << placeBits) - 1;
        for (int i = 0; i < n; i++) {
            places[from + i] = slice[(int) (keys[i] & position)];
        }
        for (int a = 0, b; a < n; a = b) {
            b = a + 1;
            while (b < n && keys[b] >>> placeBits == keys[a] >>> placeBits) {
                b++;
            }
            if (b - a > 1) {
                ties(given, places, from + a, from + b, depth, repeat);
            }
        }
    }

    /** Sorts {@code places[from, to)}, whose ids share their first {@code depth} characters (or end before, alike). */
    private static void ties(String[] given, int[] places, int from, int to, int depth, boolean[] repeat) {
        String first = given[places[from]];
        if (first.length() < depth) {
            // Ended among the characters numbered, with the same number: all the same id.
            Arrays.fill(repeat, from + 1, to, true);
            return;
        }
        if (to - from < FEW) {
            Integer[] tied = new Integer[to - from];
            for (int i = from; i < to; i++) {
                tied[i - from] = places[i];
            }
            Arrays.sort(tied, (x, y) -> given[x].compareTo(given[y]));
            for (int i = from; i < to; i++) {
                places[i] = tied[i - from];
                repeat[i] = i > from && given[places[i]].equals(given[places[i - 1]]);
            }
            return;
        }
        // Many alike so far (ids that differ only further on): number them again from where they differ.
        int common = first.length();
        for (int i = from + 1; i < to && common > depth; i++) {
            common = shared(first, given[places[i]], depth, common);
        }
        int placeBits = bits(to - from);
        int chars = (63 - placeBits) / 7;
        long[] keys = new long[to - from];
        for (int i = from; i < to; i++) {
            keys[i - from] = key(given[places[i]], common, chars) << placeBits | (i - from);
        }
        order(given, places, from, keys, to - from, placeBits, common + chars, repeat);
    }

    /** How many of the first {@code most} characters {@code a} and {@code b} share, knowing they share the first {@code known}. */
    private static int shared(String a, String b, int known, int most) {
        int n = Math.min(most, b.length());
        for (int c = known; c < n; c++) {
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

    /** A part of the distinct ids, sorted, to be sent in one request: {@code ids} start at position {@code from}. */
    record Part(int from, List<String> ids) {
    }

    /** The distinct ids, sorted, in parts of at most {@code bytes} bytes of ids, each with a line break. */
    List<Part> parts(int bytes) {
        List<String> ids = Arrays.asList(sorted);
        List<Part> parts = new ArrayList<>();
        for (int from = 0, to = 0, size = 0; to <= sorted.length; to++) {
            if (to == sorted.length || size + sorted[to].length() + 1 > bytes) {
                if (to > from) {
                    parts.add(new Part(from, ids.subList(from, to)));
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
     * Marks the ids of {@code part} that {@code answer} names. The service answers in the ids' order,
     * so this is a walk beside them (an answer read as the very ids asked stops it without comparing
     * again); an id out of that order is searched for, and one not asked in the part is ignored.
     */
    void permit(Part part, List<String> answer) {
        int from = part.from();
        int to = from + part.ids().size();
        int i = from;
        for (String id : answer) {
            while (i < to && sorted[i] != id && sorted[i].compareTo(id) < 0) {
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
    private static final class Permitted extends AbstractSet<String> implements Serializable {

        private static final long serialVersionUID = 1L;

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
