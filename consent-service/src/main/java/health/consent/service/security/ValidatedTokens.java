package health.consent.service.security;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.validator.TokenValidator;
import jakarta.inject.Singleton;
import java.util.Date;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.reactivestreams.Publisher;
import io.micronaut.core.async.publisher.Publishers;

/**
 * Tokens already validated, kept until they expire (and at most ten minutes): an application or
 * a patient sends the same token with every request, and parsing and verifying it each time
 * cost more than the rest of a cached decision. Only the exact bytes of a token that passed full
 * validation are recognised; a token past its {@code exp} is never answered from here.
 *
 * <p>At most {@link #CAPACITY} tokens are kept. When that many are, the expired ones go first,
 * then, if it is still full, an arbitrary half (the map's order, unrelated to age or use): the
 * cache never empties at once, so a busy instance never has every caller's token to verify again
 * in the same moment.
 */
@Singleton
public class ValidatedTokens implements TokenValidator<HttpRequest<?>> {

    private static final long MAX_KEEP_MILLIS = 10 * 60_000;
    static final int CAPACITY = 50_000;

    private record Entry(Authentication authentication, long expiresAt) {
    }

    private final ConcurrentHashMap<String, Entry> tokens = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final AtomicBoolean shrinking = new AtomicBoolean();

    public ValidatedTokens() {
        this(System::currentTimeMillis);
    }

    /** With another clock (milliseconds since the epoch), for tests. */
    ValidatedTokens(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public Publisher<Authentication> validateToken(String token, HttpRequest<?> request) {
        Authentication known = known(token);
        return known == null ? Publishers.empty() : Publishers.just(known);
    }

    /** What a token that passed full validation and has not expired authenticates; null for any other. */
    public Authentication known(String token) {
        Entry entry = tokens.get(token);
        if (entry == null) {
            return null;
        }
        if (clock.getAsLong() >= entry.expiresAt()) {
            tokens.remove(token, entry);
            return null;
        }
        return entry.authentication();
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

    void remember(String token, Authentication authentication) {
        long now = clock.getAsLong();
        long expiresAt = Math.min(now + MAX_KEEP_MILLIS, expiry(authentication.getAttributes().get("exp"), now));
        if (expiresAt <= now) {
            return;
        }
        if (tokens.size() >= CAPACITY) {
            makeRoom(now);
        }
        tokens.putIfAbsent(token, new Entry(authentication, expiresAt));
    }

    /** How many tokens are kept now. */
    int size() {
        return tokens.size();
    }

    /** The expired tokens go; if it is still full, an arbitrary half. One thread at a time: the others go on. */
    private void makeRoom(long now) {
        if (!shrinking.compareAndSet(false, true)) {
            return;
        }
        try {
            tokens.values().removeIf(e -> e.expiresAt() <= now);
            if (tokens.size() >= CAPACITY) {
                Iterator<String> kept = tokens.keySet().iterator();
                for (int excess = tokens.size() - CAPACITY / 2; excess > 0 && kept.hasNext(); excess--) {
                    kept.next();
                    kept.remove();
                }
            }
        } finally {
            shrinking.set(false);
        }
    }

    private static long expiry(Object exp, long now) {
        if (exp instanceof Date d) {
            return d.getTime();
        }
        if (exp instanceof Number n) {
            return n.longValue() * 1000;
        }
        return now + MAX_KEEP_MILLIS / 2;
    }

    /** Remembers each token once the security filter has validated it. */
    @ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
    static class Remember implements Ordered {

        private final ValidatedTokens tokens;

        Remember(ValidatedTokens tokens) {
            this.tokens = tokens;
        }

        @RequestFilter
        void remember(HttpRequest<?> request) {
            String header = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
            if (header != null && header.startsWith("Bearer ")) {
                request.getUserPrincipal(Authentication.class)
                        .ifPresent(a -> tokens.remember(header.substring(7).trim(), a));
            }
        }

        @Override
        public int getOrder() {
            return ServerFilterPhase.SECURITY.after();
        }
    }
}
