/**
 * The tamper-evident audit log's vocabulary: canonical leaves, RFC 9162 Merkle hashing and proof
 * verification, and signed checkpoints. Shared by the service, which builds the log, and the
 * SDK's offline verifier, which checks it.
 */
package health.consent.model.audit;
