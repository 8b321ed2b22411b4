/**
 * What writers publish and observers listen to: a consent change, a catalogue change, stored
 * access records, and the commit that carries them. The consent, catalogue and access features
 * publish; the change feed, the audit log and the caches listen. Nothing here calls anyone.
 */
package health.consent.service.events;
