package health.consent.service.consent;

import com.fasterxml.jackson.annotation.JsonInclude;
import health.consent.model.Channel;
import health.consent.model.ConsentEvent;
import health.consent.model.ConsentState;
import health.consent.model.DecidedBy;
import health.consent.model.Decision;
import health.consent.model.Outcome;
import health.consent.model.PatientConsents;
import health.consent.model.Purpose;
import health.consent.model.PurposeConsent;
import health.consent.model.Reason;
import health.consent.service.catalogue.Catalogue;
import health.consent.service.catalogue.Catalogue.Application;
import health.consent.service.catalogue.Catalogue.DeclaredPurpose;
import io.micronaut.serde.annotation.SerdeImport;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** What the patient API shows, each built from the model's aggregate or event. */
@SerdeImport(DecidedBy.class)
public final class ConsentViews {

    private ConsentViews() {
    }

    /**
     * One (application, declared purpose) for a patient: what they decided ({@code state}, on
     * which {@code noticeVersion}) and what it means now ({@code decision}, {@code reason}).
     * {@code version} is the value for {@code If-Match}; it is 0 before any decision.
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ConsentView(String applicationId, String applicationName, Purpose purpose, boolean primary,
                              ConsentState state, Outcome decision, Reason reason, Integer noticeVersion,
                              int currentNoticeVersion, Instant updatedAt, long version, Instant expiresAt,
                              Erasure erasure) {

        static ConsentView of(Application application, DeclaredPurpose declared, PatientConsents consents,
                              Map<String, Erasure> erasures) {
            PurposeConsent consent = consents.consent(declared.purpose());
            Decision decision = consents.decide(declared.purpose());
            return new ConsentView(application.id(), application.name(), declared.purpose(), declared.primary(),
                    consent.state(), decision.outcome(), decision.reason(),
                    consent.isSet() ? consent.noticeVersion() : null, declared.noticeVersion(), consent.updatedAt(),
                    consent.version(), consent.expiresAt(),
                    erasures.get(application.id() + "/" + declared.purpose()));
        }
    }

    /**
     * The latest erasure the application owes for a purpose: since when, and when it confirmed it
     * (null while pending).
     */
    @Serdeable
    public record Erasure(String id, Instant owedSince, Instant confirmedAt) {
    }

    /** The answer to a change: the purpose changed, and the grants that CARE's withdrawal withdrew with it. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ChangeResult(ConsentView consent, List<ConsentView> cascaded) {
    }

    /**
     * One recorded change of consent, in the patient's history. {@code cause} is the event that
     * triggered it, for cascades; {@code leafIndex} its leaf in the public log (null for a moment
     * after it is written).
     */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record HistoryEvent(long seq, String applicationId, Purpose purpose, ConsentState state,
                               ConsentState previousState, int noticeVersion, DecidedBy decidedBy, Channel channel,
                               Long cause, Instant at, Long leafIndex, Instant expiresAt) {

        public static HistoryEvent of(ConsentEvent e) {
            return new HistoryEvent(e.seq(), e.application().value(), e.purpose(), e.state(), e.previousState(),
                    e.noticeVersion(), e.decidedBy(), e.channel(), e.cause(), e.at(), e.leafIndex(), e.expiresAt());
        }
    }

    /** A notice version that the patient's history refers to, with its text. */
    @Serdeable
    public record NoticeVersion(String applicationId, Purpose purpose, int version, Catalogue.Notice notice) {
    }
}
