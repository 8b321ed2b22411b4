package health.consent.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VocabularyTest {

    @Test
    void care_is_the_only_primary_purpose() {
        assertThat(Purpose.values()).filteredOn(Purpose::isPrimary).containsExactly(Purpose.CARE);
        assertThat(Purpose.fromWire("STATISTICS")).contains(Purpose.STATISTICS);
        assertThat(Purpose.fromWire("statistics")).isEmpty();
        assertThat(Purpose.fromWire(null)).isEmpty();
    }

    @Test
    void patient_ids_follow_the_documented_format() {
        assertThat(PatientId.isValid("patient-42")).isTrue();
        assertThat(PatientId.isValid("ins:1.2.250_x")).isTrue();
        assertThat(PatientId.isValid("a".repeat(64))).isTrue();
        assertThat(PatientId.isValid("a".repeat(65))).isFalse();
        assertThat(PatientId.isValid("")).isFalse();
        assertThat(PatientId.isValid("pat ient")).isFalse();
        assertThat(PatientId.isValid("é")).isFalse();
        assertThatThrownBy(() -> PatientId.of("x'; drop table")).isInstanceOf(InvalidIdentifierException.class)
                .hasMessageContaining("patient id");
    }

    @Test
    void application_ids_follow_the_documented_format() {
        assertThat(ApplicationId.isValid("diabeto-suivi")).isTrue();
        assertThat(ApplicationId.isValid("ab")).isFalse();
        assertThat(ApplicationId.isValid("-abc")).isFalse();
        assertThat(ApplicationId.isValid("Abc")).isFalse();
        assertThat(ApplicationId.isValid("a".repeat(65))).isFalse();
        assertThatThrownBy(() -> ApplicationId.of("A")).hasMessageContaining("application id");
    }

    @Test
    void only_granted_permits() {
        assertThat(Decision.permit().permitted()).isTrue();
        assertThat(Decision.of(Reason.GRANTED)).isSameAs(Decision.permit());
        for (Reason r : Reason.values()) {
            assertThat(Decision.of(r).permitted()).isEqualTo(r == Reason.GRANTED);
            assertThat(Decision.of(r).reason()).isEqualTo(r);
        }
        assertThatThrownBy(() -> new Decision(Outcome.PERMIT, Reason.REFUSED)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Decision.deny(Reason.GRANTED)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rule_9_decision_reasons_are_a_closed_set() {
        assertThat(Reason.values()).extracting(Enum::name).containsExactly("GRANTED", "NOT_SET", "REFUSED", "WITHDRAWN", "EXPIRED",
                "CARE_NOT_GRANTED", "PURPOSE_NOT_DECLARED", "RECONSENT_REQUIRED", "APPLICATION_SUSPENDED",
                "UNKNOWN_APPLICATION", "SERVICE_UNAVAILABLE");
    }
}
