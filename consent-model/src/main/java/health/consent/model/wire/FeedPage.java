package health.consent.model.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An answer of the change feed: the changes, oldest first, and the position to ask from next time. */
public record FeedPage(List<FeedChange> changes, long next) {

    public FeedPage {
        changes = List.copyOf(changes);
    }

    public static FeedPage empty(long next) {
        return new FeedPage(List.of(), next);
    }

    /** Reads the service's JSON answer. */
    public static FeedPage fromJson(String json) {
        Map<String, Object> body = Json.object(json);
        List<FeedChange> changes = new ArrayList<>();
        for (Object o : Wire.list(body.get("changes"))) {
            changes.add(FeedChange.fromMap((Map<?, ?>) o));
        }
        return new FeedPage(changes, Wire.number(body.get("next")));
    }
}
