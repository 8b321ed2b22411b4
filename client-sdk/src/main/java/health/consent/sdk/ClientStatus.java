package health.consent.sdk;

/** Where a client stands with the service's change feed, and so how far its cache can be trusted. */
public enum ClientStatus {
    /** Not yet connected to the feed: answers come from the service directly. */
    INITIALIZING,
    /** Following the feed: cached answers are fresh. */
    VALID,
    /** The feed failed and is being retried; past the staleness bound, secondary grants are not trusted. */
    INTERRUPTED,
    /** Closed: no feed, no new requests. */
    OFF
}
