/**
 * The client SDK for catalogue applications: check consent before any secondary processing,
 * record every access. Start with {@link health.consent.sdk.ConsentClient#builder()}; in your
 * own tests, use {@link health.consent.sdk.testing.FakeConsentClient}.
 */
package health.consent.sdk;
