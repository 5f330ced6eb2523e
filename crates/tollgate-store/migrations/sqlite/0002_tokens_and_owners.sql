-- API tokens (only the SHA-256 of the secret is kept) and the owning exporter of a customer
-- (the exporter that registered it; NULL for customers added before owners existed or by the
-- records CLI, which only the regulator and auditor see through the API).
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('exporter', 'regulator', 'auditor')),
    exporter TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    CHECK ((role = 'exporter') = (exporter IS NOT NULL))
);
ALTER TABLE customers ADD COLUMN owner TEXT;
CREATE INDEX customers_owner ON customers(owner);
CREATE INDEX licences_exporter ON licences(exporter);
