package health.consent.model.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.consent.model.AccessRecord;
import health.consent.model.AccessorType;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditLeavesTest {

    private static final String SALT = "0123456789abcdef".repeat(4);

    @Test
    void an_access_records_hash_written_straight_is_the_hash_of_the_canonical_json_of_its_fields() {
        List<AccessRecord> records = List.of(
                new AccessRecord("6f1c2a7e-0c1b-4d2e-9f3a-1b2c3d4e5f60", AccessorType.APPLICATION, "app-1", "p-1",
                        Purpose.STATISTICS, "dr-martin", "vitals", Outcome.PERMIT, null,
                        Instant.parse("2026-11-22T08:30:00.123456Z"), Instant.parse("2026-11-22T08:30:01Z"), null, SALT),
                new AccessRecord("6f1c2a7e-0c1b-4d2e-9f3a-1b2c3d4e5f61", AccessorType.REGULATOR, "authority", "p-2",
                        null, "Inspector \u00c9lise \"E\" \\ \u0007", "lab results", Outcome.PERMIT,
                        "Checking a complaint:\nline two\t\u00e9\ud83d\ude00", Instant.parse("2026-01-01T00:00:00Z"),
                        Instant.parse("2026-01-01T00:00:00Z"), 12L, SALT),
                new AccessRecord("6f1c2a7e-0c1b-4d2e-9f3a-1b2c3d4e5f62", AccessorType.APPLICATION, "app-2", "p-3",
                        Purpose.CARE, "", "", Outcome.DENY, "", Instant.parse("2026-06-30T23:59:59.999999Z"), null, null,
                        SALT));
        for (AccessRecord r : records) {
            assertThat(Merkle.hex(AuditLeaves.accessRecordHash(r))).as(r.id())
                    .isEqualTo(Merkle.hex(AuditLeaves.hash(AuditLeaves.accessRecord(r))));
        }
    }

    @Test
    void a_leaf_without_a_lowercase_salt_of_32_bytes_is_refused_both_ways() {
        for (String salt : new String[] {null, SALT.toUpperCase(), SALT.substring(2), SALT + "00", SALT.replace('a', 'g')}) {
            AccessRecord r = new AccessRecord("6f1c2a7e-0c1b-4d2e-9f3a-1b2c3d4e5f60", AccessorType.APPLICATION, "app-1",
                    "p-1", Purpose.CARE, "dr", "vitals", Outcome.PERMIT, null, Instant.parse("2026-11-22T08:30:00Z"),
                    null, null, salt);
            assertThatThrownBy(() -> AuditLeaves.accessRecordHash(r)).as(String.valueOf(salt))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> AuditLeaves.accessRecord(r)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
