package health.consent.service.support;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Settings the service of an {@link OnBothDatabases} class starts with: {@code "name=value"} each,
 * or {@code "H2:name=value"}, {@code "PostgreSQL:name=value"} for one database only.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ServiceSettings {
    String[] value();
}
