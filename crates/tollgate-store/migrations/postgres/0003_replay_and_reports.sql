-- Test reports (each report_id once: its content as first recorded and the units shipped
-- under it across all shipments), signed checkpoints of the audit head, the stated reason of a
-- customs value far below the declared value, and the index that dates US end-use units.
CREATE TABLE test_reports (
    report_id TEXT PRIMARY KEY,
    lab TEXT NOT NULL,
    chip TEXT NOT NULL,
    report_date TEXT NOT NULL,
    units_tested BIGINT NOT NULL CHECK (units_tested >= 0),
    tpp TEXT NOT NULL,
    dram_bandwidth_gbs TEXT NOT NULL,
    units_used BIGINT NOT NULL CHECK (units_used >= 0 AND units_used <= units_tested)
);
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    hash TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL,
    at TEXT NOT NULL
);
ALTER TABLE duty_accruals ADD COLUMN low_value_reason TEXT;
CREATE INDEX domestic_shipments_dated ON domestic_shipments(exporter, chip, ship_date);
