package health.consent.service.security;

import java.util.List;

/** The roles a token may carry in its {@code roles} claim. */
public final class Roles {

    public static final String PATIENT = "PATIENT";
    public static final String APPLICATION = "APPLICATION";
    public static final String REGULATOR = "REGULATOR";
    public static final String ADMIN = "ADMIN";

    public static final List<String> ALL = List.of(PATIENT, APPLICATION, REGULATOR, ADMIN);

    private Roles() {
    }
}
