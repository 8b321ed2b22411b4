/**
 * The shared vocabulary of consent for digital health: purposes, identifiers, states, decisions
 * and the rules that link them. Plain Java with no framework, used by the service and by the
 * client SDK that catalogue applications embed.
 */
package health.consent.model;
