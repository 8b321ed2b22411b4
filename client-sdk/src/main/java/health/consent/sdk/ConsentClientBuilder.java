package health.consent.sdk;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Settings of a {@link ConsentClient}; {@link #build()} checks them all and says what is wrong.
 * Only the base URL and the token are required, or instead a {@link #dataSource} such as
 * {@link health.consent.sdk.testing.TestData} in an application's own tests.
 */
public final class ConsentClientBuilder {

    URI baseUrl;
    Supplier<String> token;
    Duration connectTimeout = Duration.ofSeconds(2);
    Duration requestTimeout = Duration.ofSeconds(5);
    Duration staleAfter = Duration.ofSeconds(5);
    int cacheSize = 100_000;
    int recordBatchSize = 500;
    Duration recordFlushInterval = Duration.ofSeconds(1);
    int recordQueueCapacity = 100_000;
    Duration closeTimeout = Duration.ofSeconds(10);
    boolean followChanges = true;
    ServiceConnection dataSource;

    ConsentClientBuilder() {
    }

    /** The consent service, such as {@code https://consent.example}. */
    public ConsentClientBuilder baseUrl(String baseUrl) {
        try {
            this.baseUrl = baseUrl == null ? null : URI.create(baseUrl);
        } catch (IllegalArgumentException e) {
            this.baseUrl = URI.create("invalid:" + baseUrl.hashCode());
        }
        return this;
    }

    public ConsentClientBuilder baseUrl(URI baseUrl) {
        this.baseUrl = baseUrl;
        return this;
    }

    /** The application's bearer token, asked for before every request so that it can be renewed. */
    public ConsentClientBuilder token(Supplier<String> token) {
        this.token = token;
        return this;
    }

    public ConsentClientBuilder token(String token) {
        this.token = token == null ? null : () -> token;
        return this;
    }

    public ConsentClientBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    /** How long one request (other than the feed's long poll) may take. */
    public ConsentClientBuilder requestTimeout(Duration timeout) {
        this.requestTimeout = timeout;
        return this;
    }

    /**
     * How long the change feed may be silent or failing before cached grants of secondary
     * purposes stop being trusted (default 5 s, at least 1 s).
     */
    public ConsentClientBuilder staleAfter(Duration bound) {
        this.staleAfter = bound;
        return this;
    }

    /** The most decisions kept in memory (default 100,000). */
    public ConsentClientBuilder cacheSize(int entries) {
        this.cacheSize = entries;
        return this;
    }

    /** Access records are sent when this many are queued (default 500, at most 1,000)... */
    public ConsentClientBuilder accessRecordBatchSize(int records) {
        this.recordBatchSize = records;
        return this;
    }

    /** ...or when the oldest has waited this long (default 1 s). */
    public ConsentClientBuilder accessRecordFlushInterval(Duration interval) {
        this.recordFlushInterval = interval;
        return this;
    }

    /** The most access records waiting to be sent; when full, accesses are refused (default 100,000). */
    public ConsentClientBuilder accessRecordQueueCapacity(int records) {
        this.recordQueueCapacity = records;
        return this;
    }

    /** How long {@link ConsentClient#close()} waits for queued records to be delivered (default 10 s). */
    public ConsentClientBuilder closeTimeout(Duration timeout) {
        this.closeTimeout = timeout;
        return this;
    }

    /**
     * Whether to follow the change feed (default true). Without it, nothing is cached and every
     * check asks the service.
     */
    public ConsentClientBuilder followChanges(boolean follow) {
        this.followChanges = follow;
        return this;
    }

    /**
     * Where the client gets its answers and sends its access records instead of the service over
     * HTTP: {@link health.consent.sdk.testing.TestData}, in an application's own tests. The client
     * is otherwise the same (cache, change feed, fail-closed answers), and needs no base URL or
     * token. As the connection is in memory, {@link #build()} returns once the client has asked it
     * for the change feed (so that a change made afterwards reaches the client's cache), and
     * {@code withConsent} and {@code recordAccess} return once their access record has been sent
     * to it (or, when it is unavailable, kept for the retries).
     */
    public ConsentClientBuilder dataSource(ServiceConnection connection) {
        this.dataSource = connection;
        return this;
    }

    /**
     * Checks every setting and starts the client.
     *
     * @throws IllegalStateException listing every setting that is missing or wrong
     */
    public ConsentClient build() {
        List<String> problems = new ArrayList<>();
        if (dataSource != null) {
            if (baseUrl != null || token != null) {
                problems.add("a dataSource replaces baseUrl and token: set either a dataSource or both of them");
            }
        } else {
            if (baseUrl == null) {
                problems.add("baseUrl is required");
            } else if (!("http".equals(baseUrl.getScheme()) || "https".equals(baseUrl.getScheme()))
                    || baseUrl.getHost() == null) {
                problems.add("baseUrl must be an http or https URL with a host");
            }
            if (token == null) {
                problems.add("token is required");
            }
        }
        positive(problems, "connectTimeout", connectTimeout);
        positive(problems, "requestTimeout", requestTimeout);
        positive(problems, "accessRecordFlushInterval", recordFlushInterval);
        positive(problems, "closeTimeout", closeTimeout);
        if (staleAfter == null || staleAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add("staleAfter must be at least 1 second");
        }
        if (cacheSize < 1) {
            problems.add("cacheSize must be at least 1");
        }
        if (recordBatchSize < 1 || recordBatchSize > 1_000) {
            problems.add("accessRecordBatchSize must be between 1 and 1000");
        }
        if (recordQueueCapacity < recordBatchSize) {
            problems.add("accessRecordQueueCapacity must be at least the batch size");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("invalid consent client settings: " + String.join("; ", problems));
        }
        if (dataSource != null) {
            return DefaultConsentClient.of(this, dataSource, true);
        }
        return DefaultConsentClient.of(this, new HttpConnection(baseUrl, token, connectTimeout, requestTimeout), false);
    }

    private static void positive(List<String> problems, String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            problems.add(name + " must be positive");
        }
    }
}
