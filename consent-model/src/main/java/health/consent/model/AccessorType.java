package health.consent.model;

/** Who read a patient's data: a catalogue application, or a regulator supervising it. */
public enum AccessorType {
    APPLICATION,
    REGULATOR
}
