/**
 * For applications' own tests: {@link health.consent.sdk.testing.TestData} stands in for the
 * consent service, in memory, behind the real client; no server is needed.
 */
package health.consent.sdk.testing;
