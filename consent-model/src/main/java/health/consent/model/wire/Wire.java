package health.consent.model.wire;

import java.util.List;

/** Reading values out of parsed JSON, with an exception that says what was expected. */
final class Wire {

    private Wire() {
    }

    static long number(Object value) {
        if (!(value instanceof Number n)) {
            throw new IllegalArgumentException("expected a number, not " + value);
        }
        return n.longValue();
    }

    static List<?> list(Object value) {
        if (!(value instanceof List<?> l)) {
            throw new IllegalArgumentException("expected an array, not " + value);
        }
        return l;
    }

    static <E extends Enum<E>> E enumValue(Class<E> type, Object value) {
        E e = optionalEnum(type, value);
        if (e == null) {
            throw new IllegalArgumentException("expected a " + type.getSimpleName() + ", not null");
        }
        return e;
    }

    static <E extends Enum<E>> E optionalEnum(Class<E> type, Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new IllegalArgumentException("expected a " + type.getSimpleName() + " name, not " + value);
        }
        return Enum.valueOf(type, s);
    }
}
