package health.consent.service.catalogue;

import health.consent.model.ApplicationId;
import health.consent.model.ApplicationStatus;
import health.consent.model.ApplicationTerms;
import health.consent.model.Purpose;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The catalogue's views, as the API shows them. */
public final class Catalogue {

    private Catalogue() {
    }

    /** A notice in plain language, in French and English. */
    @Serdeable
    public record Notice(String fr, String en) {
    }

    /** A purpose an application declares, with the notice it currently publishes. */
    @Serdeable
    public record DeclaredPurpose(Purpose purpose, boolean primary, int noticeVersion, Notice notice,
                                  Instant updatedAt, Notice easyRead, Integer longestGrantDays) {
    }

    /** A catalogue application. */
    @Serdeable
    public record Application(String id, String name, String publisher, ApplicationStatus status,
                              Instant registeredAt, List<DeclaredPurpose> purposes) {

        public Optional<DeclaredPurpose> purpose(Purpose purpose) {
            return purposes.stream().filter(p -> p.purpose() == purpose).findFirst();
        }

        /** What decisions need of this entry: the status and each declared purpose's notice version. */
        public ApplicationTerms terms() {
            Map<Purpose, Integer> notices = new EnumMap<>(Purpose.class);
            Map<Purpose, Duration> longest = new EnumMap<>(Purpose.class);
            for (DeclaredPurpose p : purposes) {
                notices.put(p.purpose(), p.noticeVersion());
                if (p.longestGrantDays() != null) {
                    longest.put(p.purpose(), Duration.ofDays(p.longestGrantDays()));
                }
            }
            return new ApplicationTerms(ApplicationId.of(id), status, notices, longest);
        }
    }
}
