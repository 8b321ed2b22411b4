package health.consent.service.consent;

import com.fasterxml.jackson.annotation.JsonInclude;
import health.consent.model.ActorType;
import health.consent.model.Channel;
import health.consent.model.ConsentState;
import health.consent.model.Outcome;
import health.consent.model.Purpose;
import health.consent.model.Reason;
import health.consent.service.catalogue.Catalogue;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/** What the patient API shows. */
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
                              int currentNoticeVersion, Instant updatedAt, long version) {
    }

    /** The answer to a change: the purpose changed, and the grants that CARE's withdrawal withdrew with it. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ChangeResult(ConsentView consent, List<ConsentView> cascaded) {
    }

    /** Who made a decision. */
    @Serdeable
    public record DecidedBy(ActorType type, String id) {
    }

    /** One recorded change of consent. {@code cause} is the event that triggered it, for cascades. */
    @Serdeable
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ConsentEvent(long seq, String applicationId, Purpose purpose, ConsentState state,
                               ConsentState previousState, int noticeVersion, DecidedBy decidedBy, Channel channel,
                               Long cause, Instant at) {
    }

    /** A notice version that the patient's history refers to, with its text. */
    @Serdeable
    public record NoticeVersion(String applicationId, Purpose purpose, int version, Catalogue.Notice notice) {
    }

    /** Everything held about a patient. */
    @Serdeable
    public record Export(String patientId, Instant exportedAt, List<ConsentView> consents,
                         List<ConsentEvent> history, List<NoticeVersion> notices) {
    }
}
