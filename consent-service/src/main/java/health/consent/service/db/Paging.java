package health.consent.service.db;

import io.micronaut.serde.annotation.Serdeable;
import java.util.List;

/** A page of results, newest first, with what a client needs to ask for the next one. */
@Serdeable
public record Paging<T>(List<T> items, int page, int size, long totalItems, int totalPages) {

    public static final int MAX_SIZE = 200;

    public static <T> Paging<T> of(List<T> items, Request request, long totalItems) {
        int pages = (int) Math.min(Integer.MAX_VALUE, (totalItems + request.size() - 1) / request.size());
        return new Paging<>(items, request.page(), request.size(), totalItems, pages);
    }

    /** Validated paging parameters (the web layer checks them against {@link #MAX_SIZE} or a larger bound). */
    public record Request(int page, int size) {

        public long offset() {
            return (long) page * size;
        }
    }
}
