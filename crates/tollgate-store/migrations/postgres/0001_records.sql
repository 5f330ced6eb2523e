-- tollgate records, PostgreSQL. Money is TEXT holding an exact decimal (never REAL); dates are
-- TEXT YYYY-MM-DD; timestamps TEXT RFC 3339 UTC. Ids are assigned by the store under the audit
-- head lock, so they are identical on SQLite and PostgreSQL.
CREATE TABLE exporters (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);
CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    headquarters TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('unvetted', 'approved', 'suspended')),
    kyc_until TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE customer_events (
    id BIGINT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    status TEXT NOT NULL,
    kyc_until TEXT,
    reason TEXT,
    at TEXT NOT NULL
);
CREATE TABLE licences (
    number TEXT PRIMARY KEY,
    exporter TEXT NOT NULL REFERENCES exporters(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    chip TEXT NOT NULL,
    quantity_units BIGINT NOT NULL CHECK (quantity_units > 0),
    value_usd TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    status TEXT NOT NULL,
    drawn_units BIGINT NOT NULL CHECK (drawn_units >= 0 AND drawn_units <= quantity_units),
    drawn_value_usd TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE cap_ledger (
    exporter TEXT NOT NULL,
    chip TEXT NOT NULL,
    us_units BIGINT NOT NULL CHECK (us_units >= 0),
    cn_mo_units BIGINT NOT NULL CHECK (cn_mo_units >= 0),
    PRIMARY KEY (exporter, chip)
);
CREATE TABLE domestic_shipments (
    id BIGINT PRIMARY KEY,
    exporter TEXT NOT NULL REFERENCES exporters(id),
    chip TEXT NOT NULL,
    quantity_units BIGINT NOT NULL CHECK (quantity_units > 0),
    ship_date TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE export_shipments (
    id BIGINT PRIMARY KEY,
    licence TEXT NOT NULL REFERENCES licences(number),
    exporter TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    chip TEXT NOT NULL,
    destination TEXT NOT NULL,
    quantity_units BIGINT NOT NULL CHECK (quantity_units > 0),
    value_usd TEXT NOT NULL,
    customs_value_usd TEXT NOT NULL,
    ship_date TEXT NOT NULL,
    pack_id TEXT NOT NULL,
    test_report TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX export_shipments_licence ON export_shipments(licence);
CREATE TABLE duty_accruals (
    shipment_id BIGINT PRIMARY KEY REFERENCES export_shipments(id),
    exporter TEXT NOT NULL,
    chip TEXT NOT NULL,
    destination TEXT NOT NULL,
    accrual_date TEXT NOT NULL,
    quantity_units BIGINT NOT NULL,
    customs_value_usd TEXT NOT NULL,
    band TEXT,
    rate_pct TEXT NOT NULL,
    amount_usd TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX duty_accruals_exporter ON duty_accruals(exporter, accrual_date);
CREATE TABLE duty_payments (
    id BIGINT PRIMARY KEY,
    exporter TEXT NOT NULL REFERENCES exporters(id),
    amount_usd TEXT NOT NULL,
    reference TEXT NOT NULL,
    paid_date TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (exporter, reference)
);
CREATE TABLE decisions (
    id BIGINT PRIMARY KEY,
    order_id TEXT NOT NULL,
    as_of TEXT NOT NULL,
    pack_id TEXT NOT NULL,
    list_versions TEXT NOT NULL,
    decision TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TABLE idempotency (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL
);
