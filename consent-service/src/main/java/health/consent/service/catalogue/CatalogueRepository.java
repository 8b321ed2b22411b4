package health.consent.service.catalogue;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.Purpose;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.DeclaredPurpose;
import health.consent.service.catalogue.Catalogue.Notice;
import health.consent.service.db.Db;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The catalogue tables: applications, their declared purposes and every notice version. */
@Singleton
public class CatalogueRepository {

    private static final String SELECT_APPLICATIONS =
            "SELECT id, name, publisher, status, registered_at FROM application";
    private static final String SELECT_PURPOSES = """
            SELECT d.application_id, d.purpose, d.notice_version, d.updated_at, d.longest_grant_days, n.text_fr, n.text_en,
                   n.easy_fr, n.easy_en
            FROM declared_purpose d
            JOIN notice n ON n.application_id = d.application_id AND n.purpose = d.purpose
                          AND n.version = d.notice_version""";

    private final Db db;

    public CatalogueRepository(Db db) {
        this.db = db;
    }

    /** Every application, by name. Call inside a transaction, so that both reads see one state. */
    public List<Application> all() {
        return assemble(
                db.list(SELECT_APPLICATIONS + " ORDER BY name, id", CatalogueRepository::applicationRow),
                db.list(SELECT_PURPOSES, CatalogueRepository::purposeRow));
    }

    /** Call inside a transaction, so that both reads see one state. */
    public Optional<Application> find(ApplicationId id) {
        return assemble(
                db.list(SELECT_APPLICATIONS + " WHERE id = ?", CatalogueRepository::applicationRow, id),
                db.list(SELECT_PURPOSES + " WHERE d.application_id = ?", CatalogueRepository::purposeRow, id))
                .stream().findFirst();
    }

    /** The applications suspended now: few, read whole by the change feed when the catalogue changes. */
    public Set<ApplicationId> suspended() {
        return Set.copyOf(db.list("SELECT id FROM application WHERE status = ?", rs -> ApplicationId.of(rs.getString(1)),
                ApplicationStatus.SUSPENDED.name()));
    }

    /**
     * An application with its declared purposes' versions but not their texts, in one query: what
     * a consent change needs, on its hot path.
     */
    public Optional<Application> findDeclarations(ApplicationId id) {
        List<Object[]> rows = db.list("SELECT a.name, a.publisher, a.status, a.registered_at, d.purpose, "
                        + "d.notice_version, d.updated_at, d.longest_grant_days FROM application a "
                        + "LEFT JOIN declared_purpose d ON d.application_id = a.id WHERE a.id = ?",
                rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3), Db.instant(rs, "registered_at"),
                        rs.getString(5), rs.getInt(6), Db.instant(rs, "updated_at"),
                        rs.getObject(8, Integer.class)}, id);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        List<DeclaredPurpose> purposes = new ArrayList<>();
        for (Object[] r : rows) {
            if (r[4] != null) {
                Purpose p = Purpose.valueOf((String) r[4]);
                purposes.add(new DeclaredPurpose(p, p.isPrimary(), (Integer) r[5], null, (Instant) r[6], null,
                        (Integer) r[7]));
            }
        }
        purposes.sort(Comparator.comparing(DeclaredPurpose::purpose));
        Object[] first = rows.get(0);
        return Optional.of(new Application(id.value(), (String) first[0], (String) first[1],
                ApplicationStatus.valueOf((String) first[2]), (Instant) first[3], List.copyOf(purposes)));
    }

    public boolean isEmpty() {
        return db.count("SELECT COUNT(*) FROM application") == 0;
    }

    public void insertApplication(ApplicationId id, String name, String publisher, Instant at) {
        db.update("INSERT INTO application (id, name, publisher, status, registered_at) VALUES (?, ?, ?, ?, ?)",
                id, name, publisher, ApplicationStatus.ACTIVE, at);
        db.update("INSERT INTO application_status_change (application_id, status, at) VALUES (?, ?, ?)",
                id, ApplicationStatus.ACTIVE, at);
    }

    /** Sets the status and keeps it in the application's status history. */
    public int updateStatus(ApplicationId id, ApplicationStatus status, Instant at) {
        int updated = db.update("UPDATE application SET status = ? WHERE id = ?", status, id);
        if (updated > 0) {
            db.update("INSERT INTO application_status_change (application_id, status, at) VALUES (?, ?, ?)",
                    id, status, at);
        }
        return updated;
    }

    /** A status an application took, and when. */
    public record StatusChange(String applicationId, ApplicationStatus status, Instant at) {
    }

    /** Every application's status history, in order. */
    public List<StatusChange> statusHistory() {
        return db.list("SELECT application_id, status, at FROM application_status_change ORDER BY at, seq",
                rs -> new StatusChange(rs.getString(1), ApplicationStatus.valueOf(rs.getString(2)),
                        Db.instant(rs, "at")));
    }

    /** A notice version, and when it was published. */
    public record Publication(String applicationId, Purpose purpose, int version, Instant at) {
    }

    /** Every notice version ever published, in order. */
    public List<Publication> publications() {
        return db.list("SELECT application_id, purpose, version, published_at FROM notice ORDER BY published_at, version",
                rs -> new Publication(rs.getString(1), Purpose.valueOf(rs.getString(2)), rs.getInt(3),
                        Db.instant(rs, "published_at")));
    }

    /** The current notice version of a declared purpose, locked until the transaction ends. */
    public Optional<Integer> lockDeclaredVersion(ApplicationId applicationId, Purpose purpose) {
        return db.one("SELECT notice_version FROM declared_purpose WHERE application_id = ? AND purpose = ? FOR UPDATE",
                rs -> rs.getInt(1), applicationId, purpose);
    }

    public Optional<Notice> notice(ApplicationId applicationId, Purpose purpose, int version) {
        return db.one("SELECT text_fr, text_en FROM notice WHERE application_id = ? AND purpose = ? AND version = ?",
                rs -> new Notice(rs.getString(1), rs.getString(2)), applicationId, purpose, version);
    }

    public void declarePurpose(ApplicationId applicationId, Purpose purpose, int version, Integer longestGrantDays,
                               Instant at) {
        db.update("INSERT INTO declared_purpose (application_id, purpose, notice_version, longest_grant_days, updated_at) "
                + "VALUES (?, ?, ?, ?, ?)", applicationId, purpose, version, longestGrantDays, at);
    }

    public void publishVersion(ApplicationId applicationId, Purpose purpose, int version, Integer longestGrantDays,
                               Instant at) {
        db.update("UPDATE declared_purpose SET notice_version = ?, longest_grant_days = ?, updated_at = ? "
                + "WHERE application_id = ? AND purpose = ?", version, longestGrantDays, at, applicationId, purpose);
    }

    /** A notice version's texts: the full one, and the easy-to-read summary (null when there is none). */
    public void insertNotice(ApplicationId applicationId, Purpose purpose, int version, Notice notice, Notice easyRead,
                             Instant at) {
        db.update("INSERT INTO notice (application_id, purpose, version, text_fr, text_en, easy_fr, easy_en, published_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", applicationId, purpose, version, notice.fr(), notice.en(),
                easyRead == null ? null : easyRead.fr(), easyRead == null ? null : easyRead.en(), at);
    }

    /** A notice version's easy-to-read summary, if it has one. */
    public Optional<Notice> easyRead(ApplicationId applicationId, Purpose purpose, int version) {
        return db.one("SELECT easy_fr, easy_en FROM notice WHERE application_id = ? AND purpose = ? AND version = ? "
                + "AND easy_fr IS NOT NULL", rs -> new Notice(rs.getString(1), rs.getString(2)), applicationId, purpose,
                version);
    }

    private record ApplicationRow(String id, String name, String publisher, ApplicationStatus status,
                                  Instant registeredAt) {
    }

    private record PurposeRow(String applicationId, DeclaredPurpose purpose) {
    }

    private static ApplicationRow applicationRow(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new ApplicationRow(rs.getString("id"), rs.getString("name"), rs.getString("publisher"),
                ApplicationStatus.valueOf(rs.getString("status")), Db.instant(rs, "registered_at"));
    }

    private static PurposeRow purposeRow(java.sql.ResultSet rs) throws java.sql.SQLException {
        Purpose purpose = Purpose.valueOf(rs.getString("purpose"));
        return new PurposeRow(rs.getString("application_id"), new DeclaredPurpose(purpose, purpose.isPrimary(),
                rs.getInt("notice_version"), new Notice(rs.getString("text_fr"), rs.getString("text_en")),
                Db.instant(rs, "updated_at"), rs.getString("easy_fr") == null ? null
                        : new Notice(rs.getString("easy_fr"), rs.getString("easy_en")),
                rs.getObject("longest_grant_days", Integer.class)));
    }

    private static List<Application> assemble(List<ApplicationRow> applications, List<PurposeRow> purposes) {
        Map<String, List<DeclaredPurpose>> byApplication = new LinkedHashMap<>();
        for (PurposeRow p : purposes) {
            byApplication.computeIfAbsent(p.applicationId(), k -> new ArrayList<>()).add(p.purpose());
        }
        List<Application> result = new ArrayList<>(applications.size());
        for (ApplicationRow a : applications) {
            List<DeclaredPurpose> declared = new ArrayList<>(byApplication.getOrDefault(a.id(), List.of()));
            declared.sort(Comparator.comparing(DeclaredPurpose::purpose));
            result.add(new Application(a.id(), a.name(), a.publisher(), a.status(), a.registeredAt(),
                    List.copyOf(declared)));
        }
        return result;
    }
}
