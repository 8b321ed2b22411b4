package health.consent.model.wire;

import static org.assertj.core.api.Assertions.assertThat;

import health.consent.model.PatientId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The record's identifiers are checked by hand: each check accepts exactly what its documented pattern does. */
class AccessReportFormatsTest {

    /** Characters around every boundary of the classes the patterns allow, and some that look like them. */
    private static final String ALPHABET = "0189afgzAFGZ-._:/@ \n\u0660\u00e9\u212a\uff10";

    @Test
    void an_id_a_category_and_a_patient_id_are_valid_exactly_when_their_patterns_match() {
        SplittableRandom random = new SplittableRandom(36);
        List<String> candidates = new ArrayList<>(List.of("", "-", UUID.randomUUID().toString(),
                UUID.randomUUID().toString().toUpperCase(), UUID.randomUUID() + "\n", "x".repeat(64), "x".repeat(65)));
        for (int i = 0; i < 100_000; i++) {
            // Mostly UUIDs with a character or two changed, so that near misses are common.
            char[] id = (i % 3 == 0 ? "x".repeat(random.nextInt(70)) : UUID.randomUUID().toString()).toCharArray();
            for (int k = random.nextInt(3); k > 0 && id.length > 0; k--) {
                id[random.nextInt(id.length)] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
            }
            candidates.add(new String(id));
        }
        Pattern patient = Pattern.compile(PatientId.PATTERN);
        for (String s : candidates) {
            assertThat(AccessReport.isValidId(s)).as("id %s", s).isEqualTo(AccessReport.ID_PATTERN.matcher(s).matches());
            assertThat(AccessReport.isValidCategory(s)).as("category %s", s)
                    .isEqualTo(AccessReport.CATEGORY.matcher(s).matches());
            assertThat(PatientId.isValid(s)).as("patient %s", s).isEqualTo(patient.matcher(s).matches());
        }
        assertThat(candidates.stream().filter(AccessReport::isValidId).count()).as("valid ids among them").isGreaterThan(10_000);
        assertThat(candidates.stream().filter(AccessReport::isValidCategory).count()).isGreaterThan(10_000);
    }

    @Test
    void every_character_of_the_basic_plane_is_allowed_in_a_category_and_a_patient_id_exactly_when_the_patterns_allow_it() {
        Pattern patient = Pattern.compile(PatientId.PATTERN);
        for (int code = 0; code <= Character.MAX_VALUE; code++) {
            char c = (char) code;
            for (String s : List.of(String.valueOf(c), "ab" + c + "9")) {
                assertThat(PatientId.isValid(s)).as("patient U+%04X", (int) c).isEqualTo(patient.matcher(s).matches());
                assertThat(AccessReport.isValidCategory(s)).as("category U+%04X", (int) c)
                        .isEqualTo(AccessReport.CATEGORY.matcher(s).matches());
            }
        }
    }
}
