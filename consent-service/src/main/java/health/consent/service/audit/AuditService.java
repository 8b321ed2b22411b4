package health.consent.service.audit;

import health.consent.model.ActorType;
import health.consent.model.Channel;
import health.consent.model.ConsentState;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.audit.Merkle;
import health.consent.service.audit.AuditViews.AuditAccessRecord;
import health.consent.service.audit.AuditViews.AuditConsentEvent;
import health.consent.service.audit.AuditViews.ConsentRate;
import health.consent.service.audit.AuditViews.ConsistencyProof;
import health.consent.service.audit.AuditViews.InclusionProof;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.DeclaredPurpose;
import health.consent.service.catalogue.CatalogueService;
import health.consent.service.db.Db;
import health.consent.service.web.Filters;
import health.consent.service.web.Input;
import health.consent.service.web.Paging;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The regulator's reads: the audit trail, proofs of the log, and the reports. */
@Singleton
public class AuditService {

    static final int MAX_PAGE = 1_000;
    static final int MIN_REASON = 10;
    static final int MAX_REASON = 500;

    private final Db db;
    private final AuditLog log;
    private final MerkleStore tree;
    private final CatalogueService catalogue;

    public AuditService(Db db, AuditLog log, MerkleStore tree, CatalogueService catalogue) {
        this.db = db;
        this.log = log;
        this.tree = tree;
        this.catalogue = catalogue;
    }

    public Paging<AuditAccessRecord> accessRecords(String regulator, Filters filters, String reason, Paging.Request page) {
        recordRegulatorRead(regulator, filters, reason, "access-records");
        Filters.Where where = filters.where("application_id", "patient_id", "purpose", "at");
        return db.readOnly(() -> Paging.of(db.list("SELECT id, leaf_index, accessor_type, application_id, patient_id, "
                        + "purpose, actor, data_category, outcome, reason, at, received_at FROM access_record WHERE "
                        + where.sql() + " ORDER BY at DESC, id LIMIT ? OFFSET ?", AuditService::accessRecord,
                        params(where, page.size(), page.offset())), page,
                db.count("SELECT COUNT(*) FROM access_record WHERE " + where.sql(), where.params().toArray())));
    }

    public Paging<AuditConsentEvent> consentEvents(String regulator, Filters filters, String reason, Paging.Request page) {
        recordRegulatorRead(regulator, filters, reason, "consent-events");
        Filters.Where where = filters.where("application_id", "patient_id", "purpose", "at");
        return db.readOnly(() -> Paging.of(db.list("SELECT seq, leaf_index, patient_id, application_id, purpose, state, "
                        + "previous_state, notice_version, actor_type, actor_id, channel, cause_seq, at FROM consent_event "
                        + "WHERE " + where.sql() + " ORDER BY seq DESC LIMIT ? OFFSET ?", AuditService::consentEvent,
                        params(where, page.size(), page.offset())), page,
                db.count("SELECT COUNT(*) FROM consent_event WHERE " + where.sql(), where.params().toArray())));
    }

    /**
     * A read naming a patient needs a reason, and is itself an access record the patient sees in
     * their log: written before any data is read, so that no such read goes unrecorded.
     */
    private void recordRegulatorRead(String regulator, Filters filters, String reason, String category) {
        if (filters.patientId() == null) {
            return;
        }
        Input input = new Input();
        if (reason == null || reason.isBlank()) {
            input.problem("reason", "is required when patientId is given: it is shown to the patient");
        } else if (reason.trim().length() < MIN_REASON || reason.length() > MAX_REASON
                || reason.chars().anyMatch(Character::isISOControl)) {
            input.problem("reason", "must be " + MIN_REASON + " to " + MAX_REASON + " characters without control characters");
        }
        input.check();
        db.update("INSERT INTO access_record (application_id, id, patient_id, purpose, actor, data_category, outcome, "
                        + "at, received_at, accessor_type, reason) VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, 'REGULATOR', ?)",
                regulator, UUID.randomUUID().toString(), filters.patientId(), regulator, category, Outcome.PERMIT,
                Db.now(), Db.now(), reason.trim());
        log.written();
    }

    public List<ConsentRate> consentRates() {
        return db.readOnly(() -> {
            Map<String, Long> counts = new HashMap<>();
            db.list("SELECT application_id, purpose, state, COUNT(*) FROM consent GROUP BY application_id, purpose, state",
                    rs -> counts.put(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3), rs.getLong(4)));
            Map<String, Long> patients = new HashMap<>();
            db.list("SELECT application_id, COUNT(DISTINCT patient_id) FROM consent GROUP BY application_id",
                    rs -> patients.put(rs.getString(1), rs.getLong(2)));
            List<ConsentRate> rates = new ArrayList<>();
            for (Application a : catalogue.all()) {
                long population = patients.getOrDefault(a.id(), 0L);
                for (DeclaredPurpose d : a.purposes()) {
                    String key = a.id() + "/" + d.purpose() + "/";
                    long granted = counts.getOrDefault(key + ConsentState.GRANTED, 0L);
                    long refused = counts.getOrDefault(key + ConsentState.REFUSED, 0L);
                    long withdrawn = counts.getOrDefault(key + ConsentState.WITHDRAWN, 0L);
                    rates.add(new ConsentRate(a.id(), a.name(), d.purpose(), granted, refused, withdrawn,
                            population - granted - refused - withdrawn, population));
                }
            }
            return rates;
        });
    }

    public InclusionProof inclusion(Long leaf, Long treeSize) {
        Input input = new Input();
        long size = log.size();
        long n = treeSize == null ? size : treeSize;
        if (treeSize != null && (treeSize < 1 || treeSize > size)) {
            input.problem("treeSize", "must be between 1 and the log's size, " + size);
        }
        if (leaf == null) {
            input.problem("leaf", "is required");
        } else if (leaf < 0 || leaf >= n) {
            input.problem("leaf", "must be between 0 and treeSize - 1");
        }
        input.check();
        return new InclusionProof(leaf, n, Merkle.hex(tree.leaf(leaf)), hex(tree.inclusionProof(leaf, n)));
    }

    public ConsistencyProof consistency(Long from, Long to) {
        Input input = new Input();
        long size = log.size();
        if (to == null || to < 1 || to > size) {
            input.problem("to", "must be between 1 and the log's size, " + size);
        }
        if (from == null || from < 1 || (to != null && from > to)) {
            input.problem("from", "must be between 1 and to");
        }
        input.check();
        return new ConsistencyProof(from, to, hex(tree.consistencyProof(from, to)));
    }

    private static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(Merkle::hex).toList();
    }

    private static Object[] params(Filters.Where where, int limit, long offset) {
        List<Object> p = new ArrayList<>(where.params());
        p.add(limit);
        p.add(offset);
        return p.toArray();
    }

    private static AuditAccessRecord accessRecord(ResultSet rs) throws SQLException {
        String purpose = rs.getString("purpose");
        return new AuditAccessRecord(rs.getString("id"), rs.getObject("leaf_index", Long.class),
                rs.getString("accessor_type"), rs.getString("application_id"), rs.getString("patient_id"),
                purpose == null ? null : Purpose.valueOf(purpose), rs.getString("actor"), rs.getString("data_category"),
                Outcome.valueOf(rs.getString("outcome")), rs.getString("reason"), Db.instant(rs, "at"),
                Db.instant(rs, "received_at"));
    }

    private static AuditConsentEvent consentEvent(ResultSet rs) throws SQLException {
        return new AuditConsentEvent(rs.getLong("seq"), rs.getObject("leaf_index", Long.class),
                rs.getString("patient_id"), rs.getString("application_id"), Purpose.valueOf(rs.getString("purpose")),
                ConsentState.valueOf(rs.getString("state")), ConsentState.valueOf(rs.getString("previous_state")),
                rs.getInt("notice_version"), ActorType.valueOf(rs.getString("actor_type")), rs.getString("actor_id"),
                Channel.valueOf(rs.getString("channel")), rs.getObject("cause_seq", Long.class), Db.instant(rs, "at"));
    }
}
