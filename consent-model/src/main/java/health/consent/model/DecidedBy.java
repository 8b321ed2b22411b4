package health.consent.model;

import java.util.Objects;

/** Who made a consent decision: the patient, or a representative acting for them (named by their id). */
public record DecidedBy(ActorType type, String id) {

    public DecidedBy {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
    }

    public static DecidedBy patient(PatientId patient) {
        return new DecidedBy(ActorType.PATIENT, patient.value());
    }

    public static DecidedBy representative(String id) {
        return new DecidedBy(ActorType.REPRESENTATIVE, id);
    }
}
