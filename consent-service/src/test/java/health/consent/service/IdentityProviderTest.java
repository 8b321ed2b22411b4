package health.consent.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import health.consent.service.support.Databases;
import health.consent.service.support.TestService;
import health.consent.service.support.Tokens;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Production validates tokens against the identity provider's published keys (JWT_JWKS_URL). */
class IdentityProviderTest {

    @Test
    void tokens_signed_by_the_identity_providers_key_are_accepted_and_others_refused() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("idp-key-1").generate();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("idp-key-1").generate();
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        idp.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, jwks.length);
            exchange.getResponseBody().write(jwks);
            exchange.close();
        });
        idp.start();
        String url = "http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks.json";
        try (TestService service = TestService.start(Databases.h2(),
                Map.of("consent.auth.jwt-secret", "", Application.JWKS_URL_PROPERTY, url), "prod")) {
            assertThat(service.api().get("/api/v1/ping", rs256(key)).status()).isEqualTo(200);
            assertThat(service.api().get("/api/v1/ping", rs256(stranger)).status()).isEqualTo(401);
            assertThat(service.api().get("/api/v1/ping", Tokens.admin()).status()).as("no shared secret configured")
                    .isEqualTo(401);
        } finally {
            idp.stop(0);
        }
    }

    @Test
    void with_an_issuer_and_audience_configured_other_tokens_are_refused() {
        Map<String, Object> settings = Application.settings(Map.of("JWT_ISSUER", "https://idp.example",
                "JWT_AUDIENCE", "consent-service"));
        Map<String, Object> properties = new HashMap<>(settings);
        properties.keySet().removeIf(k -> k.startsWith("datasources"));
        try (TestService service = TestService.start(Databases.h2(), properties, "test")) {
            String right = Tokens.custom("admin-1", "ADMIN",
                    c -> c.issuer("https://idp.example").audience("consent-service"));
            String wrongIssuer = Tokens.custom("admin-1", "ADMIN",
                    c -> c.issuer("https://evil.example").audience("consent-service"));
            String wrongAudience = Tokens.custom("admin-1", "ADMIN",
                    c -> c.issuer("https://idp.example").audience("other"));
            assertThat(service.api().get("/api/v1/ping", right).status()).isEqualTo(200);
            assertThat(service.api().get("/api/v1/ping", wrongIssuer).status()).isEqualTo(401);
            assertThat(service.api().get("/api/v1/ping", wrongAudience).status()).isEqualTo(401);
            assertThat(service.api().get("/api/v1/ping", Tokens.admin()).status()).as("no issuer at all").isEqualTo(401);
        }
    }

    private static String rs256(RSAKey key) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                Tokens.claims("admin-1", "ADMIN").build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
