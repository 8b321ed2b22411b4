package health.consent.service.decision;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationTerms;
import health.consent.model.PatientConsents;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.model.wire.DecisionAnswer;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.DeclarationCache;
import health.consent.service.consent.ConsentRepository;
import health.consent.service.consent.ConsentRepository.Grant;
import health.consent.service.db.Transactions;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Answers applications: may I process this patient's data for this purpose? Every answer is the
 * model's ({@link PatientConsents#decide}), from the application's terms and the patient's decisions.
 */
@Singleton
public class DecisionService {

    private final Transactions transactions;
    private final DeclarationCache declarations;
    private final ConsentRepository consents;
    private final DecisionCache cache;

    public DecisionService(Transactions transactions, DeclarationCache declarations, ConsentRepository consents,
                           DecisionCache cache) {
        this.transactions = transactions;
        this.declarations = declarations;
        this.consents = consents;
        this.cache = cache;
    }

    /** The answer if this instance has it in memory, else null: costs no I/O, so it may run on the event loop. */
    public DecisionAnswer cached(ApplicationId application, PatientId patient, Purpose purpose) {
        return cache.get(application, patient, purpose);
    }

    public DecisionAnswer decide(ApplicationId application, PatientId patient, Purpose purpose) {
        DecisionAnswer cached = cached(application, patient, purpose);
        if (cached != null) {
            return cached;
        }
        long epoch = cache.epoch(application);
        // One statement (the terms are in memory), so no transaction: a miss costs one round trip.
        ApplicationTerms terms = terms(application);
        PatientConsents mine = PatientConsents.of(patient, application, terms,
                terms == null ? List.of() : consents.forApplication(patient, application));
        DecisionAnswer answer = DecisionAnswer.of(mine.decide(purpose), mine.versionShown(purpose));
        cache.put(application, patient, purpose, answer, epoch);
        return answer;
    }

    /** The most patients of a cohort decided by one read of their grants of each purpose. */
    static final int COHORT_READ = 20_000;
    /** The patients of a cohort's first read, before it has shown whether it is dense. */
    static final int FIRST_READ = 500;
    /**
     * A range of patient ids holding more grants of a purpose than this per patient asked is a sparse
     * part of the cohort: its patients, and the rest of the request's, are looked up one by one instead.
     */
    static final int GRANTS_PER_PATIENT = 4;

    /** The patients among {@code patientIds} (already validated, duplicates allowed) that permit the purpose, in input order. */
    public List<String> filter(ApplicationId application, Purpose purpose, List<String> patientIds) {
        Set<String> asked = new LinkedHashSet<>(patientIds);
        Set<String> permitted = new HashSet<>(permittedAmong(application, purpose, asked.toArray(String[]::new)));
        List<String> inOrder = new ArrayList<>(permitted.size());
        for (String patient : asked) {
            if (permitted.contains(patient)) {
                inOrder.add(patient);
            }
        }
        return inOrder;
    }

    /**
     * The patients among {@code ids} (valid, in any order, duplicates allowed; the array is sorted in
     * place) that permit the purpose, each once, in the order of {@link String#compareTo}. Only grants permit ({@link
     * PatientConsents#permittedByGrants}), so only the grants of CARE and the purpose are read: the
     * ids are taken by ranges of {@link #COHORT_READ} (the first of {@link #FIRST_READ}), each purpose's grants read in one scan of the
     * index of grants by application, purpose and patient (V16; on H2, V13's, with the state) and
     * walked beside the ids in the same order
     * (a dense cohort costs a sequential read, not a lookup per patient); where the application has
     * many more patients than were asked, they are looked up.
     */
    public List<String> permittedAmong(ApplicationId application, Purpose purpose, String[] ids) {
        Arrays.sort(ids);
        int distinct = 0;
        for (String id : ids) {
            if (distinct == 0 || !ids[distinct - 1].equals(id)) {
                ids[distinct++] = id;
            }
        }
        String[] sorted = Arrays.copyOf(ids, distinct);
        return transactions.read(() -> {
            ApplicationTerms terms = terms(application);
            if (ApplicationTerms.uniformDecision(terms, purpose).isPresent()) {
                // Unknown, suspended, or not declared: nobody permits.
                return List.of();
            }
            CohortGrants grants = new CohortGrants(application, purpose);
            List<String> permitted = new ArrayList<>();
            // A small first part: a sparse cohort shows itself at the cost of a few rows.
            for (int from = 0, size = FIRST_READ; from < sorted.length; from += size, size = COHORT_READ) {
                List<String> part = Arrays.asList(sorted).subList(from, Math.min(sorted.length, from + size));
                grants.read(part);
                for (int i = 0; i < part.size(); i++) {
                    int notice = grants.own.notice[i];
                    if (PatientConsents.permittedByGrants(terms, purpose, grants.care.notice[i] != NONE,
                            notice == NONE ? null : notice)) {
                        permitted.add(part.get(i));
                    }
                }
            }
            return permitted;
        });
    }

    /** No grant, in {@link Marks#notice}. */
    private static final int NONE = Integer.MIN_VALUE;

    /**
     * The notice version of each patient's grant of one purpose, beside a part of a cohort's ids
     * ({@link #NONE} for none). A range's grants come in the order of the ids' bytes, the part's
     * order, so each is marked by walking beside the part, from the driver's bytes: no string is made.
     */
    private static final class Marks implements ConsentRepository.GrantVisitor {
        private final List<String> part;
        final int[] notice;
        private int at;

        Marks(List<String> part) {
            this.part = part;
            this.notice = new int[part.size()];
            Arrays.fill(notice, NONE);
        }

        @Override
        public void grant(byte[] patientId, int noticeVersion) {
            while (at < part.size()) {
                int order = compare(part.get(at), patientId);
                if (order >= 0) {
                    if (order == 0) {
                        notice[at] = noticeVersion;
                    }
                    return;
                }
                at++;
            }
        }

        /** A grant found by lookup, in any order. */
        void mark(Grant grant) {
            int i = Collections.binarySearch(part, grant.patientId());
            if (i >= 0) {
                notice[i] = grant.noticeVersion();
            }
        }

        /** {@link String#compareTo} of an id (ASCII) and another's bytes, in the bytes' order. */
        private static int compare(String id, byte[] other) {
            int n = Math.min(id.length(), other.length);
            for (int i = 0; i < n; i++) {
                int d = id.charAt(i) - (other[i] & 0xFF);
                if (d != 0) {
                    return d;
                }
            }
            return id.length() - other.length;
        }
    }

    /**
     * A cohort's grants of CARE and the purpose, part after part: read by ranges until one shows the
     * cohort sparse, then by lookups.
     */
    private final class CohortGrants {
        private final ApplicationId application;
        private final Purpose purpose;
        private boolean sparse;
        Marks care;
        Marks own;

        CohortGrants(ApplicationId application, Purpose purpose) {
            this.application = application;
            this.purpose = purpose;
        }

        /** Marks the grants of the patients of {@code sorted}, read by range (with others between them) or looked up. */
        void read(List<String> sorted) {
            care = new Marks(sorted);
            own = new Marks(sorted);
            if (!sparse) {
                if (range(Purpose.CARE, care) && (purpose == Purpose.CARE || range(purpose, own))) {
                    return;
                }
                sparse = true;
                care = new Marks(sorted);
                own = new Marks(sorted);
            }
            for (Grant g : consents.grantsOf(application, purpose, sorted)) {
                (g.purpose() == Purpose.CARE ? care : own).mark(g);
            }
        }

        /** Marks the range's grants of {@code p}; false when it holds many more than were asked (the marks then partial). */
        private boolean range(Purpose p, Marks marks) {
            List<String> sorted = marks.part;
            int most = GRANTS_PER_PATIENT * sorted.size();
            return consents.grantsBetween(application, p, sorted.get(0), sorted.get(sorted.size() - 1), most + 1,
                    marks) <= most;
        }
    }

    private ApplicationTerms terms(ApplicationId application) {
        return declarations.find(application).map(Application::terms).orElse(null);
    }
}
