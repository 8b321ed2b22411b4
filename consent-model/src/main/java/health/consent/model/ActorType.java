package health.consent.model;

/** Who made a consent decision: the patient, or a representative acting for them. */
public enum ActorType {
    PATIENT,
    REPRESENTATIVE
}
