package health.consent.model.audit;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The form of a time in leaves and on the wire, {@code 2026-11-22T08:30:00.123456Z}: exactly
 * {@link Instant#toString()} and {@link Instant#parse}, done by hand for the form almost every time
 * takes (years 0000 to 9999, a {@code Z}), since the service writes and reads one for every access
 * record it stores. Anything else goes to the JDK's own, which then decides.
 */
public final class IsoInstant {

    /** 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in seconds since 1970. */
    private static final long FIRST = -62_167_219_200L;
    private static final long END = 253_402_300_800L;
    private static final int DAY = 86_400;

    private IsoInstant() {
    }

    /** The same string as {@link Instant#toString()}. */
    public static String format(Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < FIRST || seconds >= END) {
            return t.toString();
        }
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, DAY));
        int time = (int) Math.floorMod(seconds, DAY);
        int nano = t.getNano();
        int digits = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1_000 == 0 ? 6 : 9;
        byte[] out = new byte[20 + (digits == 0 ? 0 : digits + 1)];
        put(out, 0, date.getYear(), 4);
        out[4] = '-';
        put(out, 5, date.getMonthValue(), 2);
        out[7] = '-';
        put(out, 8, date.getDayOfMonth(), 2);
        out[10] = 'T';
        put(out, 11, time / 3600, 2);
        out[13] = ':';
        put(out, 14, time / 60 % 60, 2);
        out[16] = ':';
        put(out, 17, time % 60, 2);
        if (digits > 0) {
            out[19] = '.';
            put(out, 20, digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1_000 : nano, digits);
        }
        out[out.length - 1] = 'Z';
        return new String(out, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The same instant as {@link Instant#parse}, or its exception. */
    public static Instant parse(CharSequence text) {
        int n = text.length();
        if (n < 20 || n == 21 || n > 30 || text.charAt(n - 1) != 'Z' || text.charAt(4) != '-' || text.charAt(7) != '-'
                || text.charAt(10) != 'T' || text.charAt(13) != ':' || text.charAt(16) != ':'
                || n > 20 && text.charAt(19) != '.') {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int fraction = n > 20 ? digits(text, 20, n - 21) : 0;
        if ((year | month | day | hour | minute | second | fraction) < 0 || hour > 23 || minute > 59 || second > 59) {
            return Instant.parse(text);
        }
        for (int i = n - 21; i < 9; i++) {
            fraction *= 10;
        }
        try {
            long epochDay = LocalDate.of(year, month, day).toEpochDay();
            return Instant.ofEpochSecond(epochDay * DAY + hour * 3600 + minute * 60 + second, fraction);
        } catch (DateTimeException e) {
            return Instant.parse(text);
        }
    }

    /** The number written by {@code count} ASCII digits from {@code from}, or -1 if any is not one. */
    private static int digits(CharSequence text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** Writes {@code value} as {@code count} digits, zero-padded, from {@code at}. */
    private static void put(byte[] out, int at, int value, int count) {
        for (int i = at + count - 1; i >= at; i--) {
            out[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }
}
