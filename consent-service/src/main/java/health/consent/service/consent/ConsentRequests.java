package health.consent.service.consent;

import health.consent.model.Channel;
import health.consent.model.ConsentChange;
import health.consent.model.ConsentState;
import health.consent.model.Purpose;
import health.consent.service.web.ApiException;
import health.consent.service.web.Input;
import io.micronaut.json.tree.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A patient's change request, read into the model's command; every problem found is answered at once. */
final class ConsentRequests {

    /** The furthest end a grant may name. */
    static final int MAX_GRANT_YEARS = 100;

    private static final Pattern ETAG = Pattern.compile("^(?:W/)?\"?(\\d{1,18})\"?$");

    private ConsentRequests() {
    }

    /**
     * {@code {state: GRANTED or REFUSED or WITHDRAWN, noticeVersion, channel?: WEB or API, expiresAt?}} for
     * the purpose in the path; {@code expiresAt} (a UTC time) only with GRANTED.
     */
    static ConsentChange change(String purposeName, JsonNode body, String ifMatch) {
        Purpose purpose = Purpose.fromWire(purposeName).orElseThrow(
                () -> ApiException.invalid("purpose", "must be one of " + Purpose.WIRE_NAMES));
        Input input = new Input();
        JsonNode request = input.body(body, Set.of("state", "noticeVersion", "channel", "expiresAt"));
        ConsentState state = input.oneOf(request, "", "state",
                name -> ConsentState.fromWire(name).filter(ConsentState::isDecision), "GRANTED, REFUSED, WITHDRAWN");
        Integer notice = input.integer(request, "", "noticeVersion", 1, Integer.MAX_VALUE,
                state == ConsentState.GRANTED);
        Channel channel = Channel.API;
        JsonNode channelNode = request.get("channel");
        if (channelNode != null && !channelNode.isNull()) {
            channel = input.oneOf(request, "", "channel",
                    name -> "WEB".equals(name) ? Optional.of(Channel.WEB)
                            : "API".equals(name) ? Optional.of(Channel.API) : Optional.empty(), "WEB, API");
        }
        Instant expiresAt = null;
        JsonNode end = request.get("expiresAt");
        if (end != null && !end.isNull()) {
            try {
                expiresAt = Instant.parse(end.isString() ? end.getStringValue() : "");
            } catch (DateTimeParseException e) {
                input.problem("expiresAt", "must be a UTC time such as 2027-06-01T00:00:00Z");
            }
            // Far beyond any grant, and beyond what the databases' timestamps hold (a year over 294276 on
            // PostgreSQL): refused here rather than failing at the insert.
            if (expiresAt != null && expiresAt.isAfter(Instant.now().plus(java.time.Duration.ofDays(MAX_GRANT_YEARS * 366L)))) {
                input.problem("expiresAt", "must be within " + MAX_GRANT_YEARS + " years");
                expiresAt = null;
            }
            if (expiresAt != null && state != null && state != ConsentState.GRANTED) {
                input.problem("expiresAt", "is given only with the state GRANTED");
            }
        }
        input.check();
        return new ConsentChange(purpose, state, notice, channel, ifMatch(ifMatch),
                expiresAt == null ? null : expiresAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS));
    }

    /** {@code If-Match} takes the version, quoted as an entity tag or bare. */
    static Long ifMatch(String header) {
        if (header == null || header.isBlank() || header.trim().equals("*")) {
            return null;
        }
        Matcher m = ETAG.matcher(header.trim());
        if (!m.matches()) {
            throw ApiException.invalid("If-Match", "must be the version to change, such as \"3\"");
        }
        return Long.parseLong(m.group(1));
    }
}
