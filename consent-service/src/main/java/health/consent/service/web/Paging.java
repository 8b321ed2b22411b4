package health.consent.service.web;

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

    /** Validated paging parameters. */
    public record Request(int page, int size) {

        public static Request of(Integer page, Integer size) {
            return of(page, size, MAX_SIZE);
        }

        /** With a larger page allowed, for exports. */
        public static Request of(Integer page, Integer size, int maxSize) {
            int p = page == null ? 0 : page;
            int s = size == null ? 50 : size;
            Input input = new Input();
            if (p < 0 || p > 1_000_000) {
                input.problem("page", "must be between 0 and 1000000");
            }
            if (s < 1 || s > maxSize) {
                input.problem("size", "must be between 1 and " + maxSize);
            }
            input.check();
            return new Request(p, s);
        }

        public long offset() {
            return (long) page * size;
        }
    }
}
