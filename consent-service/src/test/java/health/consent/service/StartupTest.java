package health.consent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import health.consent.service.ops.JarResources;
import health.consent.service.support.AuditKeys;
import health.consent.service.support.Databases;
import health.consent.service.support.Tokens;
import io.micronaut.context.ApplicationContext;
import io.micronaut.core.io.ResourceResolver;
import io.micronaut.core.io.scan.ClassPathResourceLoader;
import io.micronaut.runtime.Micronaut;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.ServerSocket;
import health.consent.service.support.TestService;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartupTest {

    @Test
    void outside_dev_the_service_refuses_to_start_without_token_validation_and_says_why() {
        assertThatThrownBy(() -> TestService.start(Databases.h2(), Map.of("consent.auth.jwt-secret", ""), "prod").close())
                .hasStackTraceContaining("JWT_JWKS_URL").hasStackTraceContaining("JWT_SECRET");
    }

    @Test
    void outside_dev_the_service_refuses_to_start_without_an_audit_signing_key_and_says_why() {
        assertThatThrownBy(() -> TestService.start(Databases.h2(), Map.of("consent.audit.signing-key", ""), "prod").close())
                .hasStackTraceContaining("AUDIT_SIGNING_KEY");
        assertThatThrownBy(() -> TestService.start(Databases.h2(), Map.of("consent.audit.signing-key", "bm90IGEga2V5"), "prod")
                .close()).hasStackTraceContaining("not a base64 PKCS#8 Ed25519 private key");
    }

    @Test
    void a_shared_secret_shorter_than_32_bytes_is_refused() {
        assertThatThrownBy(() -> TestService.start(Databases.h2(), Map.of("consent.auth.jwt-secret", "short"), "prod").close())
                .hasStackTraceContaining("at least 32 bytes");
    }

    @Test
    void the_framework_reads_its_configuration_files_through_the_jar_resources() {
        Micronaut framework = Application.readingTheJar();
        assertThat(framework.getResourceLoader()).isInstanceOf(JarResources.class);
        try (ApplicationContext context = framework.build()) {
            context.getEnvironment().start();
            assertThat(context.getEnvironment().getProperty("micronaut.application.name", String.class))
                    .as("application.yml read").contains("consent-service");
        }
    }

    @Test
    void the_framework_serves_and_resolves_class_path_resources_through_the_jar_resources() {
        Map<String, Object> properties = new HashMap<>(Databases.h2());
        properties.put("consent.auth.jwt-secret", Tokens.SECRET);
        properties.put("consent.audit.signing-key", AuditKeys.PRIVATE_KEY);
        // As the service starts: the environment (itself a resource loader the resolver may ask first)
        // reads through the jar resources as well.
        try (ApplicationContext context = Application.readingTheJar()
                .properties(properties).environments("test").deduceEnvironment(false).start()) {
            assertThat(context.getBean(ClassPathResourceLoader.class)).isInstanceOf(JarResources.class);
            assertThat(context.getBean(ResourceResolver.class).getLoaderForBasePath("classpath:public"))
                    .get().isInstanceOf(JarResources.class);
        }
    }

    @Test
    void the_port_comes_from_the_port_variable() throws Exception {
        int free;
        try (ServerSocket socket = new ServerSocket(0)) {
            free = socket.getLocalPort();
        }
        // The variable as the environment would give it; application.yml maps it to the server's port.
        Map<String, Object> properties = new HashMap<>(Databases.h2());
        properties.put("consent.auth.jwt-secret", Tokens.SECRET);
        properties.put("consent.audit.signing-key", AuditKeys.PRIVATE_KEY);
        properties.put("PORT", free);
        try (ApplicationContext context = ApplicationContext.builder()
                .properties(properties).environments("test").deduceEnvironment(false).start()) {
            EmbeddedServer server = context.getBean(EmbeddedServer.class).start();
            assertThat(server.getPort()).isEqualTo(free);
        }
    }

    @Test
    void storage_is_an_h2_file_under_the_data_dir_unless_a_jdbc_url_is_given() {
        Map<String, Object> h2 = Application.storageSettings(Map.of("CONSENT_DATA_DIR", "/var/lib/consent"));
        assertThat((String) h2.get("datasources.default.url"))
                .startsWith("jdbc:h2:file:/var/lib/consent/consent;MODE=PostgreSQL");
        Map<String, Object> byDefault = Application.storageSettings(Map.of());
        assertThat((String) byDefault.get("datasources.default.url"))
                .startsWith("jdbc:h2:file:" + Path.of("data").toAbsolutePath() + "/consent;");
        Map<String, Object> pg = Application.storageSettings(Map.of("JDBC_URL", "jdbc:postgresql://localhost/consent",
                "JDBC_USER", "consent", "JDBC_PASSWORD", "pw"));
        assertThat(Application.settings(Map.of("JWT_JWKS_URL", "https://idp.example/jwks")))
                .containsEntry(Application.JWKS_URL_PROPERTY, "https://idp.example/jwks");
        assertThat(pg).containsEntry("datasources.default.url", "jdbc:postgresql://localhost/consent")
                .containsEntry("datasources.default.username", "consent")
                .containsEntry("datasources.default.password", "pw");
    }

    @Test
    void a_read_replica_is_its_own_data_source_and_a_bad_database_url_refuses_to_start_naming_its_setting() {
        Map<String, Object> replicated = Application.storageSettings(Map.of(
                "JDBC_URL", "jdbc:postgresql://localhost:5432,127.0.0.1:5433/consent?targetServerType=primary",
                "JDBC_USER", "consent", "JDBC_PASSWORD", "pw", "JDBC_READ_URL", "jdbc:postgresql://127.0.0.1:5433/consent"));
        assertThat(replicated).containsEntry("datasources.read.url", "jdbc:postgresql://127.0.0.1:5433/consent")
                .containsEntry("datasources.read.username", "consent").containsEntry("datasources.read.password", "pw")
                .containsEntry("datasources.read.read-only", true);
        assertThat(Application.storageSettings(Map.of("JDBC_URL", "jdbc:postgresql://localhost/consent")))
                .doesNotContainKey("datasources.read.url");
        assertThat(Application.storageSettings(Map.of("JDBC_URL", "jdbc:postgresql://localhost:5432?sslmode=disable")))
                .containsEntry("datasources.default.url", "jdbc:postgresql://localhost:5432?sslmode=disable");
        assertThat(Application.storageSettings(Map.of("JDBC_URL", "jdbc:postgresql:consent")))
                .containsEntry("datasources.default.url", "jdbc:postgresql:consent");

        assertThatThrownBy(() -> Application.storageSettings(Map.of(
                "JDBC_URL", "jdbc:postgresql://localhost,no-such-host.invalid:5433/consent")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JDBC_URL").hasMessageContaining("no-such-host.invalid");
        assertThatThrownBy(() -> Application.storageSettings(Map.of("JDBC_URL", "jdbc:postgresql://localhost/consent",
                "JDBC_READ_URL", "jdbc:postgresql://replica.invalid/consent")))
                .hasMessageContaining("JDBC_READ_URL").hasMessageContaining("replica.invalid");
        assertThatThrownBy(() -> Application.storageSettings(Map.of("JDBC_READ_URL", "jdbc:postgresql://localhost/consent")))
                .hasMessageContaining("JDBC_READ_URL").hasMessageContaining("JDBC_URL");
        assertThatThrownBy(() -> Application.storageSettings(Map.of("JDBC_URL", "postgres://localhost/consent")))
                .hasMessageContaining("JDBC_URL must be a PostgreSQL URL");
    }
}
