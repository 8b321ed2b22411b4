-- What the last migration at start-up found (health.consent.service.db.Migrations): a digest of the
-- service's migrations and of the schema history they left. A start that finds both unchanged has
-- nothing to apply and nothing to validate, and does not run Flyway.
CREATE TABLE schema_fingerprint (
    id INT PRIMARY KEY CHECK (id = 1),
    fingerprint VARCHAR(64) NOT NULL
);
INSERT INTO schema_fingerprint (id, fingerprint) VALUES (1, '');
