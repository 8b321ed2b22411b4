package health.consent.service.outcome;

/** What a service answers: the value asked for, or the refusal. */
public sealed interface Result<T> {

    record Ok<T>(T value) implements Result<T> {
    }

    record Refused<T>(Refusal refusal) implements Result<T> {
    }

    static <T> Result<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Result<T> refused(Refusal refusal) {
        return new Refused<>(refusal);
    }
}
