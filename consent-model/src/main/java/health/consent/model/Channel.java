package health.consent.model;

/** Through which channel a consent decision was made. */
public enum Channel {
    /** The patients' web page served by the service. */
    WEB,
    /** Another client of the HTTP API (the national portal, a mobile app). */
    API,
    /** Made by the service as a consequence of another decision (withdrawing CARE). */
    CASCADE,
    /** Made by the service when a time-boxed grant reached its end. */
    EXPIRY
}
