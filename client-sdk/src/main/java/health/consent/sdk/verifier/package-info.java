/**
 * For regulators, auditors and patients' advocates: checks the consent service's audit log
 * offline, with nothing but its public key. {@link health.consent.sdk.verifier.AuditVerifier}
 * from code, {@link health.consent.sdk.verifier.AuditVerifierCli} from the command line.
 * Applications that only check consent do not need this package.
 */
package health.consent.sdk.verifier;
