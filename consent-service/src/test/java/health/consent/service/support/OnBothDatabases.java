package health.consent.service.support;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs every test of the extending class twice, black-box over HTTP: against a service on H2, and
 * against a service on a real PostgreSQL. Each run starts its own service on a fresh database, with
 * the class's {@link ServiceSettings} if it has some (those prefixed {@code H2:} or
 * {@code PostgreSQL:} for that database only).
 */
@ParameterizedClass(name = "on {0}")
@ValueSource(strings = {"H2", "PostgreSQL"})
public abstract class OnBothDatabases {

    /** "H2" or "PostgreSQL". */
    @Parameter
    protected String database;

    protected static TestService service;
    protected static Api api;

    @BeforeParameterizedClassInvocation
    static void startService(String database, TestInfo test) {
        Map<String, Object> settings = new HashMap<>();
        ServiceSettings given = test.getTestClass().map(c -> c.getAnnotation(ServiceSettings.class)).orElse(null);
        for (String setting : given == null ? new String[0] : given.value()) {
            // "H2:name=value" or "PostgreSQL:name=value": for that database only.
            int colon = setting.indexOf(':');
            int equals = setting.indexOf('=');
            if (colon > 0 && colon < equals) {
                if (!setting.substring(0, colon).equals(database)) {
                    continue;
                }
                setting = setting.substring(colon + 1);
                equals -= colon + 1;
            }
            settings.put(setting.substring(0, equals), setting.substring(equals + 1));
        }
        service = TestService.start("H2".equals(database) ? Databases.h2() : Databases.postgres(), settings, "test");
        api = service.api();
    }

    @AfterParameterizedClassInvocation
    static void stopService() {
        if (service != null) {
            service.close();
        }
    }
}
