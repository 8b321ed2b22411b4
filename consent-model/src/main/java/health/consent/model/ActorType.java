package health.consent.model;

/**
 * Who made a consent decision: the patient, a representative acting for them, or the service
 * carrying out what the patient decided before (a time-boxed grant's end).
 */
public enum ActorType {
    PATIENT,
    REPRESENTATIVE,
    SERVICE
}
