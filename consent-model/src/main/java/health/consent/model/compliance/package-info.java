/**
 * What the audit trail shows to be wrong: the rules a regulator's findings are computed by, free of
 * any framework so that anyone can run them again on an exported trail.
 */
package health.consent.model.compliance;
