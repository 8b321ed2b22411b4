package health.consent.service.web;

import health.consent.model.ApplicationId;
import health.consent.model.PatientId;
import health.consent.model.Purpose;
import health.consent.service.db.Filters;
import health.consent.service.db.Paging;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Query parameters shared by several endpoints, validated: paging and the log filters. */
public final class Params {

    private Params() {
    }

    /** {@code page} (from 0) and {@code size} (1 to {@link Paging#MAX_SIZE}, default 50). */
    public static Paging.Request page(Integer page, Integer size) {
        return page(page, size, Paging.MAX_SIZE);
    }

    /** With a larger page allowed, for exports. */
    public static Paging.Request page(Integer page, Integer size, int maxSize) {
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
        return new Paging.Request(p, s);
    }

    /**
     * The log filters: {@code applicationId}, {@code patientId}, {@code purpose}, and a period
     * {@code from} (inclusive) to {@code to} (exclusive), each an ISO-8601 UTC time
     * ({@code 2026-11-22T08:00:00Z}) or a day ({@code 2026-11-22}; as {@code to}, the whole day is included).
     */
    public static Filters filters(String applicationId, String patientId, String purpose, String from, String to) {
        Input input = new Input();
        if (applicationId != null && !ApplicationId.isValid(applicationId)) {
            input.problem("applicationId", "must match " + ApplicationId.PATTERN);
        }
        if (patientId != null && !PatientId.isValid(patientId)) {
            input.problem("patientId", "must match " + PatientId.PATTERN);
        }
        Purpose p = null;
        if (purpose != null) {
            p = Purpose.fromWire(purpose).orElse(null);
            if (p == null) {
                input.problem("purpose", "must be one of " + Purpose.WIRE_NAMES);
            }
        }
        Instant start = time(input, "from", from, false);
        Instant end = time(input, "to", to, true);
        if (start != null && end != null && !start.isBefore(end)) {
            input.problem("to", "must be after from");
        }
        input.check();
        return new Filters(applicationId == null ? null : ApplicationId.of(applicationId),
                patientId == null ? null : PatientId.of(patientId), p, start, end);
    }

    private static Instant time(Input input, String name, String value, boolean endOfDay) {
        if (value == null) {
            return null;
        }
        try {
            if (value.length() == 10) {
                LocalDate day = LocalDate.parse(value);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            input.problem(name, "must be a UTC time such as 2026-11-22T08:00:00Z, or a day such as 2026-11-22");
            return null;
        }
    }

    /** The shortest and longest reason a regulator may give for reading patient-level data. */
    public static final int MIN_REASON = 10;
    public static final int MAX_REASON = 500;

    /**
     * The reason a regulator gives for reading patient-level data, which each patient read sees in
     * their log: required, {@value #MIN_REASON} to {@value #MAX_REASON} characters without control
     * characters; trimmed.
     */
    public static String reason(String reason) {
        Input input = new Input();
        if (reason == null || reason.isBlank()) {
            input.problem("reason", "is required: the read names patients, and each patient read sees the reason "
                    + "in their log");
        } else if (reason.trim().length() < MIN_REASON || reason.length() > MAX_REASON
                || reason.chars().anyMatch(Character::isISOControl)) {
            input.problem("reason", "must be " + MIN_REASON + " to " + MAX_REASON
                    + " characters without control characters");
        }
        input.check();
        return reason.trim();
    }
}
