package health.consent.service.support;

import io.micronaut.context.ApplicationContext;
import io.micronaut.core.type.Argument;
import io.micronaut.json.JsonMapper;
import io.micronaut.json.tree.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A plain HTTP client for the API: what outside programs see, nothing more. */
public final class Api {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private final URI base;
    private final JsonMapper json;

    Api(URI base, ApplicationContext context) {
        this.base = base;
        this.json = context.getBean(JsonMapper.class);
    }

    public Res get(String path, String token) {
        return send("GET", path, token, null, Map.of());
    }

    /** A GET whose answer comes later: for long polls. */
    public java.util.concurrent.CompletableFuture<Res> getAsync(String path, String token) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).header("Authorization", "Bearer " + token)
                .GET().build();
        return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> new Res(r.statusCode(), r.headers().map(), r.body(), json));
    }

    public Res post(String path, String token, String body) {
        return send("POST", path, token, body, Map.of());
    }

    public Res put(String path, String token, String body) {
        return send("PUT", path, token, body, Map.of());
    }

    public Res put(String path, String token, String body, Map<String, String> headers) {
        return send("PUT", path, token, body, headers);
    }

    public Res send(String method, String path, String token, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        headers.forEach(b::header);
        if (body != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Res(r.statusCode(), r.headers().map(), r.body(), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A response, with its body readable by dotted paths: {@code str("consent.state")}, {@code str("items[0].seq")}. */
    public record Res(int status, Map<String, List<String>> headers, String body, JsonMapper mapper) {

        public JsonNode json() {
            try {
                return mapper.readValue(body, Argument.of(JsonNode.class));
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        /** The body as plain maps and lists, as an outside program would read it. */
        @SuppressWarnings("unchecked")
        public Map<String, Object> map() {
            try {
                return mapper.readValue(body, Argument.mapOf(String.class, Object.class));
            } catch (IOException e) {
                throw new AssertionError("not a JSON object: " + body, e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }

        public JsonNode at(String path) {
            JsonNode node = json();
            for (String part : path.split("\\.")) {
                int bracket = part.indexOf('[');
                String field = bracket < 0 ? part : part.substring(0, bracket);
                if (!field.isEmpty()) {
                    node = node == null ? null : node.get(field);
                }
                if (bracket >= 0) {
                    int index = Integer.parseInt(part.substring(bracket + 1, part.indexOf(']')));
                    node = node == null ? null : node.get(index);
                }
            }
            return node;
        }

        public String str(String path) {
            JsonNode n = at(path);
            return n == null || n.isNull() ? null : n.coerceStringValue();
        }

        public long num(String path) {
            return at(path).getLongValue();
        }

        public List<JsonNode> list(String path) {
            JsonNode n = path.isEmpty() ? json() : at(path);
            List<JsonNode> items = new ArrayList<>();
            n.values().forEach(items::add);
            return items;
        }

        public String contentType() {
            return header("Content-Type");
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }
}
