package health.consent.service.db;

/** A bean with work that one thread of this instance runs again and again; {@link BackgroundPasses} starts and stops it. */
public interface BackgroundWork {

    BackgroundPass backgroundPass();
}
