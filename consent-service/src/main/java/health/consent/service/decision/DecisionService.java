package health.consent.service.decision;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.ConsentRules;
import health.consent.model.ConsentState;
import health.consent.model.Decision;
import health.consent.model.Purpose;
import health.consent.service.db.Db;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Answers applications: may I process this patient's data for this purpose? */
@Singleton
public class DecisionService {

    /** A decision as the API answers it; {@code version} is the version of the patient's decision (0 if none). */
    @Serdeable
    public record DecisionView(String decision, String reason, long version) {
    }

    // One round trip: the application, its declaration of the purpose, and the two consents that decide.
    private static final String DECIDE = """
            SELECT a.status, d.notice_version AS current_notice,
                   c.state, c.notice_version, c.version, care.state AS care_state
            FROM application a
            LEFT JOIN declared_purpose d ON d.application_id = a.id AND d.purpose = ?
            LEFT JOIN consent c ON c.application_id = a.id AND c.patient_id = ? AND c.purpose = ?
            LEFT JOIN consent care ON care.application_id = a.id AND care.patient_id = ? AND care.purpose = 'CARE'
            WHERE a.id = ?""";

    private final Db db;
    private final DecisionCache cache;

    public DecisionService(Db db, DecisionCache cache) {
        this.db = db;
        this.cache = cache;
    }

    /** The answer if this instance has it in memory, else null: costs no I/O, so it may run on the event loop. */
    public DecisionView cached(ApplicationId application, String patientId, Purpose purpose) {
        return cache.get(application.value(), patientId, purpose);
    }

    public DecisionView decide(ApplicationId application, String patientId, Purpose purpose) {
        DecisionView cached = cached(application, patientId, purpose);
        if (cached != null) {
            return cached;
        }
        long epoch = cache.epoch(application.value());
        DecisionView view = read(application, patientId, purpose);
        cache.put(application.value(), patientId, purpose, view, epoch);
        return view;
    }

    private DecisionView read(ApplicationId application, String patientId, Purpose purpose) {
        return db.one(DECIDE, rs -> {
            ConsentState state = state(rs, "state");
            Decision d = ConsentRules.decide(ApplicationStatus.valueOf(rs.getString("status")), purpose,
                    (Integer) rs.getObject("current_notice", Integer.class), state(rs, "care_state"), state,
                    rs.getInt("notice_version"));
            return new DecisionView(d.outcome().name(), d.reason().name(), rs.getLong("version"));
        }, purpose, patientId, purpose, patientId, application.value()).orElseGet(() -> {
            Decision d = ConsentRules.decide(null, purpose, null, ConsentState.NOT_SET, ConsentState.NOT_SET, 0);
            return new DecisionView(d.outcome().name(), d.reason().name(), 0);
        });
    }

    /** The patients among {@code patientIds} (already validated, duplicates allowed) that permit the purpose, in input order. */
    public List<String> filter(ApplicationId application, Purpose purpose, List<String> patientIds) {
        return db.readOnly(() -> {
            Optional<Object[]> declaration = db.one("""
                    SELECT a.status, d.notice_version FROM application a
                    LEFT JOIN declared_purpose d ON d.application_id = a.id AND d.purpose = ?
                    WHERE a.id = ?""", rs -> new Object[] {ApplicationStatus.valueOf(rs.getString(1)),
                    rs.getObject(2, Integer.class)}, purpose, application.value());
            if (declaration.isEmpty() || declaration.get()[0] != ApplicationStatus.ACTIVE
                    || declaration.get()[1] == null) {
                return List.of();
            }
            int currentNotice = (Integer) declaration.get()[1];
            List<String> distinct = new ArrayList<>(new LinkedHashSet<>(patientIds));
            Map<String, ConsentState> care = new HashMap<>();
            Map<String, int[]> asked = new HashMap<>();
            Map<String, ConsentState> askedState = new HashMap<>();
            db.list("""
                    SELECT patient_id, purpose, state, notice_version FROM consent
                    WHERE application_id = ? AND purpose IN (?, 'CARE') AND patient_id = ANY(?)""", rs -> {
                String patient = rs.getString(1);
                ConsentState state = ConsentState.valueOf(rs.getString(3));
                if (Purpose.CARE.name().equals(rs.getString(2))) {
                    care.put(patient, state);
                }
                if (purpose.name().equals(rs.getString(2))) {
                    askedState.put(patient, state);
                    asked.put(patient, new int[] {rs.getInt(4)});
                }
                return null;
            }, application.value(), purpose, new Db.SqlArray("varchar", distinct.toArray()));
            List<String> permitted = new ArrayList<>();
            for (String patient : distinct) {
                ConsentState state = askedState.getOrDefault(patient, ConsentState.NOT_SET);
                int consented = asked.containsKey(patient) ? asked.get(patient)[0] : 0;
                if (ConsentRules.decide(ApplicationStatus.ACTIVE, purpose, currentNotice,
                        care.getOrDefault(patient, ConsentState.NOT_SET), state, consented).permitted()) {
                    permitted.add(patient);
                }
            }
            return permitted;
        });
    }

    private static ConsentState state(ResultSet rs, String column) throws SQLException {
        String s = rs.getString(column);
        return s == null ? ConsentState.NOT_SET : ConsentState.valueOf(s);
    }
}
