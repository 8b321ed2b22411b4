package health.consent.model.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoInstantTest {

    private static final long YEAR_0000 = -62_167_219_200L;
    private static final long YEAR_10000 = 253_402_300_800L;

    @Test
    void formats_every_instant_as_the_jdk_does() {
        List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.MIN, Instant.MAX,
                Instant.ofEpochSecond(YEAR_0000), Instant.ofEpochSecond(YEAR_0000 - 1, 999_999_999),
                Instant.ofEpochSecond(YEAR_10000 - 1, 999_999_999), Instant.ofEpochSecond(YEAR_10000),
                Instant.parse("2024-02-29T23:59:59.000001Z"), Instant.parse("1969-12-31T23:59:59.9Z")));
        SplittableRandom random = new SplittableRandom(20261202);
        for (int i = 0; i < 200_000; i++) {
            long seconds = i % 10 == 0 ? random.nextLong(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond())
                    : random.nextLong(YEAR_0000 - 1_000, YEAR_10000 + 1_000);
            instants.add(Instant.ofEpochSecond(seconds, nanos(random)));
        }
        for (Instant t : instants) {
            assertThat(IsoInstant.format(t)).as("%s", t).isEqualTo(t.toString());
        }
    }

    @Test
    void reads_every_time_the_jdk_writes_as_the_jdk_reads_it() {
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 200_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(YEAR_0000 - 1_000, YEAR_10000 + 1_000), nanos(random));
            String text = t.toString();
            assertThat(IsoInstant.parse(text)).as(text).isEqualTo(Instant.parse(text)).isEqualTo(t);
            // Every length of fraction, not only the JDK's groups of three (for four-digit years,
            // whose seconds end at the 19th character).
            if (text.charAt(4) == '-') {
                int digits = 1 + random.nextInt(9);
                String shorter = text.substring(0, 19) + "." + String.format("%09d", t.getNano()).substring(0, digits) + "Z";
                assertThat(IsoInstant.parse(shorter)).as(shorter).isEqualTo(Instant.parse(shorter));
            }
        }
    }

    @Test
    void a_time_with_a_character_or_two_changed_is_read_or_refused_as_the_jdk_does() {
        String alphabet = "0123456789-:.TZtz+ \u0663";
        SplittableRandom random = new SplittableRandom(3);
        int read = 0;
        for (int i = 0; i < 200_000; i++) {
            char[] text = Instant.ofEpochSecond(random.nextLong(0, YEAR_10000), nanos(random)).toString().toCharArray();
            for (int k = 1 + random.nextInt(2); k > 0; k--) {
                text[random.nextInt(text.length)] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            String changed = new String(text);
            Instant jdk = jdkOrNull(changed);
            if (jdk == null) {
                assertThatThrownBy(() -> IsoInstant.parse(changed)).as(changed).isInstanceOf(DateTimeParseException.class);
            } else {
                assertThat(IsoInstant.parse(changed)).as(changed).isEqualTo(jdk);
                read++;
            }
        }
        assertThat(read).as("near misses the JDK still reads").isGreaterThan(10_000);
    }

    @Test
    void what_it_does_not_read_itself_is_left_to_the_jdk_which_reads_or_refuses_it_alike() {
        List<String> accepted = List.of("2026-11-22T24:00:00Z", "2026-12-31T23:59:60Z", "2026-11-22t08:30:00z",
                "2026-11-22T08:30:00+01:00", "+10000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z", "2026-11-22T08:30:00.Z");
        for (String text : accepted) {
            Instant jdk = jdkOrNull(text);
            if (jdk == null) {
                assertThatThrownBy(() -> IsoInstant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            } else {
                assertThat(IsoInstant.parse(text)).as(text).isEqualTo(jdk);
            }
        }
        for (String text : List.of("2026-02-29T08:30:00Z", "2026-13-01T08:30:00Z", "2026-11-31T08:30:00Z",
                "2026-00-10T08:30:00Z", "2026-11-22T08:60:00Z", "2026-11-22T25:00:00Z", "2026-11-22T08:30:00.1234567890Z",
                "2026-11-22 08:30:00Z", "2026-11-22T08:30:00", "2026-11-2xT08:30:00Z", "2026-11-22T08:30:0٣Z", "",
                "2026-11-22T08:30:00.12a4Z", "2026-11-22T08:30:00,5Z")) {
            assertThatThrownBy(() -> IsoInstant.parse(text)).as(text).isInstanceOf(DateTimeParseException.class);
            assertThat(jdkOrNull(text)).as(text).isNull();
        }
    }

    /** Nanoseconds as times carry them: none, milliseconds, microseconds or any. */
    private static int nanos(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> random.nextInt(1_000) * 1_000_000;
            case 2 -> random.nextInt(1_000_000) * 1_000;
            default -> random.nextInt(1_000_000_000);
        };
    }

    private static Instant jdkOrNull(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
