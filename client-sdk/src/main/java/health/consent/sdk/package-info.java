/**
 * For catalogue applications: check consent before any secondary processing, and record every
 * access. Start with {@link health.consent.sdk.ConsentClient#builder()}; in your own tests, plug
 * {@link health.consent.sdk.testing.TestData} into the same client with
 * {@link health.consent.sdk.ConsentClientBuilder#dataSource}.
 *
 * <p>Public here: the client ({@link health.consent.sdk.ConsentClient}, its builder, its status,
 * its exceptions, {@link health.consent.sdk.AccessContext}) and
 * {@link health.consent.sdk.ServiceConnection}, the seam between the client and the service,
 * which only the SDK implements. The parts behind the client are package-private: the HTTP
 * connection, the change feed follower that keeps the decision cache fresh and owns the status,
 * the cache, and the access record sender.
 */
package health.consent.sdk;
