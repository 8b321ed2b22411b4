package health.consent.model.compliance;

/** What the trail shows to be wrong. */
public enum FindingKind {
    /** An access reported as PERMIT for a secondary purpose that the consent history did not grant then. */
    ACCESS_WITHOUT_CONSENT,
    /** An access reported as PERMIT for a purpose the application had not declared then. */
    UNDECLARED_PURPOSE,
    /** An access reported as PERMIT at a time the application was suspended. */
    ACCESS_WHILE_SUSPENDED,
    /** A record received long after the access it reports. */
    LATE_REPORT,
    /** An erasure owed after a withdrawal and not confirmed in time. */
    PURGE_OVERDUE
}
