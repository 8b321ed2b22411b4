/**
 * For applications' own tests: {@link health.consent.sdk.testing.FakeConsentClient} stands in for
 * the consent service.
 */
package health.consent.sdk.testing;
