package health.consent.sdk.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import health.consent.model.Decision;
import health.consent.model.Purpose;
import health.consent.sdk.ClientStatus;
import health.consent.sdk.ConsentClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A cached {@code check}: the cost an application pays on every record it touches. A minimal
 * local stand-in for the service answers the decision once and holds the feed's long polls, so
 * the client is VALID and every measured check is a cache hit.
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CheckBenchmark {

    private HttpServer server;
    private ConsentClient client;

    @Setup(Level.Trial)
    public void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/v1/changes", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            if (query != null && query.contains("wait=")) {
                sleep(Integer.parseInt(query.replaceAll(".*wait=(\\d+).*", "$1")));
            }
            answer(exchange, "{\"changes\":[],\"next\":1}");
        });
        server.createContext("/api/v1/decisions", exchange ->
                answer(exchange, "{\"decision\":\"PERMIT\",\"reason\":\"GRANTED\",\"version\":1}"));
        server.start();
        client = ConsentClient.builder().baseUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .token("benchmark").build();
        while (client.status() != ClientStatus.VALID) {
            Thread.onSpinWait();
        }
        for (Purpose p : Purpose.values()) {
            if (!client.check("patient-42", p).permitted()) {
                throw new IllegalStateException("the stand-in should permit " + p);
            }
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        client.close();
        server.stop(0);
    }

    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    public Decision cachedSecondaryCheck() {
        return client.check("patient-42", Purpose.STATISTICS);
    }

    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    public Decision cachedCareCheck() {
        return client.check("patient-42", Purpose.CARE);
    }

    private static void answer(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static void sleep(int seconds) {
        try {
            Thread.sleep(seconds * 1000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
