/** What services answer: a value or a refusal, free of HTTP; the web layer maps refusals to statuses. */
package health.consent.service.outcome;
