package health.consent.model.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An answer of the change feed: the changes, oldest first, and the position to ask from next time.
 * {@code reset} is true when the position asked from is beyond the feed's head (the service's
 * database was restored or reset): the client must forget everything it cached and go on from
 * {@code next}.
 */
public record FeedPage(List<FeedChange> changes, long next, boolean reset) {

    public FeedPage {
        changes = List.copyOf(changes);
    }

    public FeedPage(List<FeedChange> changes, long next) {
        this(changes, next, false);
    }

    public static FeedPage empty(long next) {
        return new FeedPage(List.of(), next, false);
    }

    /** The answer to a position beyond the head: nothing, and start again from {@code head}. */
    public static FeedPage resetTo(long head) {
        return new FeedPage(List.of(), head, true);
    }

    /** Reads the service's JSON answer. */
    public static FeedPage fromJson(String json) {
        Map<String, Object> body = Json.object(json);
        List<FeedChange> changes = new ArrayList<>();
        for (Object o : Wire.list(body.get("changes"))) {
            changes.add(FeedChange.fromMap((Map<?, ?>) o));
        }
        // Older services do not send "reset".
        return new FeedPage(changes, Wire.number(body.get("next")), Boolean.TRUE.equals(body.get("reset")));
    }
}
