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
    void the_hand_written_application_id_check_agrees_with_the_documented_pattern() {
        java.util.regex.Pattern documented = java.util.regex.Pattern.compile(ApplicationId.PATTERN);
        java.util.Random random = new java.util.Random(42);
        String alphabet = "az09-_Aé. ";
        java.util.List<String> cases = new java.util.ArrayList<>(java.util.List.of("", "a", "ab", "abc", "-ab", "ab-",
                "a".repeat(63), "a".repeat(64), "a".repeat(65), "0-0", "a--b"));
        for (int i = 0; i < 20_000; i++) {
            StringBuilder id = new StringBuilder();
            int length = random.nextInt(70);
            for (int j = 0; j < length; j++) {
                id.append(random.nextInt(4) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : (char) ('a' + random.nextInt(26)));
            }
            cases.add(id.toString());
        }
        for (String id : cases) {
            assertThat(ApplicationId.isValid(id)).as(id).isEqualTo(documented.matcher(id).matches());
        }
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
