//! Replaying the audit log against the stored records. Every audit entry carries, under
//! `after.rows`, the full rows its write stored (`{"rows": {"licences": [{...}], ...}}`, every
//! column as stored; an API token's secret hash only as its SHA-256). `audit verify` streams the
//! log in seq order, recomputes the hash chain, applies each entry's rows to a replayed state
//! (checking that the action may write them: a shipment may move a licence's drawdown, never its
//! limits), and compares every state table with it, row by row and column by column, in the
//! same read snapshot:
//!
//! - append-only tables (shipments, duty, payments, decisions, vetting events, checkpoints):
//!   their integer ids grow with the log, so they are compared chunk by chunk as the log is
//!   read (a merge of two ordered streams), never held whole;
//! - tables whose rows change (exporters, customers, licences, the cap ledger, tokens, test
//!   reports): the replayed rows are kept (one per record, not per entry) and compared at the end.
//!
//! A stored row that differs names its table, row and column; a row no entry wrote, and a row
//! an entry wrote that is gone, are faults too. `idempotency` (a cache of responses to retried
//! requests) is not state and is not compared.

use crate::audit::Chain;
use crate::checkpoint;
use crate::error::Result;
use crate::model::{AuditEntry, AuditFault, AuditReport};
use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;
use std::str::FromStr;

/// A bound value of a row: text, integer, or nullable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    S(String),
    I(i64),
    N(Option<String>),
}

/// How a column is stored and how it appears in an audit entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Int,
    Text,
    OptText,
    /// Text that the entry carries only as its SHA-256 (hex): the stored hash of an API token's
    /// secret, which the log never shows.
    Digest,
}

#[derive(Debug)]
pub(crate) struct Col {
    pub name: &'static str,
    /// The key in the audit entry's row.
    pub json: &'static str,
    pub ty: Ty,
}

const fn col(name: &'static str, ty: Ty) -> Col {
    Col {
        name,
        json: name,
        ty,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Rows are written once, with an integer id (the first column) that grows with the log.
    Append,
    /// Rows are written and later changed; keyed by the `key` columns.
    Keyed,
}

#[derive(Debug)]
pub(crate) struct TableDef {
    pub name: &'static str,
    pub kind: Kind,
    /// Indices of the key columns in `cols`.
    pub key: &'static [usize],
    pub cols: &'static [Col],
}

use Ty::{Digest as D, Int as I, OptText as O, Text as T};

pub(crate) const EXPORTERS: TableDef = TableDef {
    name: "exporters",
    kind: Kind::Keyed,
    key: &[0],
    cols: &[col("id", T), col("created_at", T)],
};
pub(crate) const CUSTOMERS: TableDef = TableDef {
    name: "customers",
    kind: Kind::Keyed,
    key: &[0],
    cols: &[
        col("id", T),
        col("name", T),
        col("country", T),
        col("headquarters", T),
        col("status", T),
        col("kyc_until", O),
        col("created_at", T),
        col("owner", O),
    ],
};
pub(crate) const CUSTOMER_EVENTS: TableDef = TableDef {
    name: "customer_events",
    kind: Kind::Append,
    key: &[0],
    cols: &[
        col("id", I),
        col("customer_id", T),
        col("status", T),
        col("kyc_until", O),
        col("reason", O),
        col("at", T),
    ],
};
pub(crate) const LICENCES: TableDef = TableDef {
    name: "licences",
    kind: Kind::Keyed,
    key: &[0],
    cols: &[
        col("number", T),
        col("exporter", T),
        col("customer_id", T),
        col("chip", T),
        col("quantity_units", I),
        col("value_usd", T),
        col("valid_until", T),
        col("status", T),
        col("drawn_units", I),
        col("drawn_value_usd", T),
        col("created_at", T),
    ],
};
pub(crate) const CAP_LEDGER: TableDef = TableDef {
    name: "cap_ledger",
    kind: Kind::Keyed,
    key: &[0, 1],
    cols: &[
        col("exporter", T),
        col("chip", T),
        col("us_units", I),
        col("cn_mo_units", I),
    ],
};
pub(crate) const DOMESTIC_SHIPMENTS: TableDef = TableDef {
    name: "domestic_shipments",
    kind: Kind::Append,
    key: &[0],
    cols: &[
        col("id", I),
        col("exporter", T),
        col("chip", T),
        col("quantity_units", I),
        col("ship_date", T),
        col("created_at", T),
    ],
};
pub(crate) const EXPORT_SHIPMENTS: TableDef = TableDef {
    name: "export_shipments",
    kind: Kind::Append,
    key: &[0],
    cols: &[
        col("id", I),
        col("licence", T),
        col("exporter", T),
        col("customer_id", T),
        col("chip", T),
        col("destination", T),
        col("quantity_units", I),
        col("value_usd", T),
        col("customs_value_usd", T),
        col("ship_date", T),
        col("pack_id", T),
        col("test_report", T),
        col("created_at", T),
    ],
};
pub(crate) const DUTY_ACCRUALS: TableDef = TableDef {
    name: "duty_accruals",
    kind: Kind::Append,
    key: &[0],
    cols: &[
        col("shipment_id", I),
        col("exporter", T),
        col("chip", T),
        col("destination", T),
        col("accrual_date", T),
        col("quantity_units", I),
        col("customs_value_usd", T),
        col("band", O),
        col("rate_pct", T),
        col("amount_usd", T),
        col("reason", T),
        col("low_value_reason", O),
    ],
};
pub(crate) const DUTY_PAYMENTS: TableDef = TableDef {
    name: "duty_payments",
    kind: Kind::Append,
    key: &[0],
    cols: &[
        col("id", I),
        col("exporter", T),
        col("amount_usd", T),
        col("reference", T),
        col("paid_date", T),
        col("created_at", T),
    ],
};
pub(crate) const DECISIONS: TableDef = TableDef {
    name: "decisions",
    kind: Kind::Append,
    key: &[0],
    cols: &[
        col("id", I),
        col("order_id", T),
        col("as_of", T),
        col("pack_id", T),
        col("list_versions", T),
        col("decision", T),
        col("created_at", T),
    ],
};
pub(crate) const API_TOKENS: TableDef = TableDef {
    name: "api_tokens",
    kind: Kind::Keyed,
    key: &[0],
    cols: &[
        col("id", T),
        Col {
            name: "token_hash",
            json: "token_hash_sha256",
            ty: D,
        },
        col("role", T),
        col("exporter", O),
        col("created_at", T),
        col("revoked_at", O),
    ],
};
pub(crate) const TEST_REPORTS: TableDef = TableDef {
    name: "test_reports",
    kind: Kind::Keyed,
    key: &[0],
    cols: &[
        col("report_id", T),
        col("lab", T),
        col("chip", T),
        col("report_date", T),
        col("units_tested", I),
        col("tpp", T),
        col("dram_bandwidth_gbs", T),
        col("units_used", I),
    ],
};
pub(crate) const AUDIT_CHECKPOINTS: TableDef = TableDef {
    name: "audit_checkpoints",
    kind: Kind::Append,
    key: &[0],
    cols: &[
        col("seq", I),
        col("hash", T),
        col("public_key", T),
        col("signature", T),
        col("at", T),
    ],
};

/// Every state table, in the order they are compared.
pub(crate) const TABLES: [&TableDef; 13] = [
    &EXPORTERS,
    &CUSTOMERS,
    &CUSTOMER_EVENTS,
    &LICENCES,
    &CAP_LEDGER,
    &DOMESTIC_SHIPMENTS,
    &EXPORT_SHIPMENTS,
    &DUTY_ACCRUALS,
    &DUTY_PAYMENTS,
    &DECISIONS,
    &API_TOKENS,
    &TEST_REPORTS,
    &AUDIT_CHECKPOINTS,
];

fn sha256_hex(s: &str) -> String {
    let d = Sha256::digest(s.as_bytes());
    let mut out = String::with_capacity(64);
    for b in d.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
fn val_json(ty: Ty, v: &Val) -> Value {
    match (ty, v) {
        (Ty::Digest, Val::S(s)) => Value::String(sha256_hex(s)),
        (_, Val::S(s)) => Value::String(s.clone()),
        (_, Val::I(i)) => Value::from(*i),
        (_, Val::N(o)) => o.clone().map(Value::String).unwrap_or(Value::Null),
    }
}

/// One row as an audit entry carries it: `{column: value}` in the table's column order.
#[cfg(test)]
pub(crate) fn row_json(def: &TableDef, vals: &[Val]) -> Value {
    debug_assert_eq!(vals.len(), def.cols.len(), "{}", def.name);
    let mut m = Map::with_capacity(def.cols.len());
    for (c, v) in def.cols.iter().zip(vals) {
        m.insert(c.json.to_string(), val_json(c.ty, v));
    }
    Value::Object(m)
}

fn write_str(buf: &mut Vec<u8>, s: &str) {
    // Serialising a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, s);
}

/// Writes one row as JSON text, exactly as [`row_json`] would serialise (the hot path of every
/// write builds the text directly, without a map per row).
fn write_row(def: &TableDef, vals: &[Val], buf: &mut Vec<u8>) {
    debug_assert_eq!(vals.len(), def.cols.len(), "{}", def.name);
    buf.push(b'{');
    for (i, (c, v)) in def.cols.iter().zip(vals).enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        write_str(buf, c.json);
        buf.push(b':');
        match (c.ty, v) {
            (Ty::Digest, Val::S(s)) => write_str(buf, &sha256_hex(s)),
            (_, Val::S(s)) | (_, Val::N(Some(s))) => write_str(buf, s),
            (_, Val::I(n)) => buf.extend_from_slice(n.to_string().as_bytes()),
            (_, Val::N(None)) => buf.extend_from_slice(b"null"),
        }
    }
    buf.push(b'}');
}

/// The rows one audit entry wrote, by table: the entry's `after` is `{"rows": ...}`.
#[derive(Debug, Default)]
pub(crate) struct Rows(Vec<(&'static str, Vec<u8>)>);

impl Rows {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, def: &TableDef, vals: &[Val]) -> &mut Self {
        let i = match self.0.iter().position(|(t, _)| *t == def.name) {
            Some(i) => {
                self.0[i].1.push(b',');
                i
            }
            None => {
                self.0.push((def.name, Vec::with_capacity(256)));
                self.0.len() - 1
            }
        };
        write_row(def, vals, &mut self.0[i].1);
        self
    }
    /// The entry's `after` document as text.
    pub fn after_text(self) -> String {
        let mut out =
            Vec::with_capacity(self.0.iter().map(|(_, b)| b.len() + 32).sum::<usize>() + 16);
        out.extend_from_slice(b"{\"rows\":{");
        for (i, (t, rows)) in self.0.into_iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_str(&mut out, t);
            out.extend_from_slice(b":[");
            out.extend_from_slice(&rows);
            out.push(b']');
        }
        out.extend_from_slice(b"}}");
        // Only JSON text (valid UTF-8) was written.
        String::from_utf8(out).unwrap_or_default()
    }
}

/// A stored column as the audit entry would carry it.
fn stored_json(c: &Col, r: &AnyRow) -> Result<Value> {
    Ok(match c.ty {
        Ty::Int => Value::from(r.try_get::<i64, _>(c.name)?),
        Ty::Text => Value::String(r.try_get::<String, _>(c.name)?),
        Ty::OptText => r
            .try_get::<Option<String>, _>(c.name)?
            .map(Value::String)
            .unwrap_or(Value::Null),
        Ty::Digest => Value::String(sha256_hex(&r.try_get::<String, _>(c.name)?)),
    })
}

fn select_cols(def: &TableDef) -> String {
    def.cols
        .iter()
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_cols(def: &TableDef) -> String {
    def.key
        .iter()
        .map(|i| def.cols[*i].name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A row's key as text (`nvidia/nvidia-h200-sxm` for a two-column key).
fn key_text(def: &TableDef, row: &Map<String, Value>) -> String {
    def.key
        .iter()
        .map(|i| match row.get(def.cols[*i].json) {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => "?".to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "NULL".to_string(),
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

/// What an action may do to a table.
#[derive(Debug, Clone, Copy)]
enum Write {
    /// Insert a new row (a keyed row must not exist yet).
    Insert,
    /// Change only these columns of an existing row.
    Update(&'static [&'static str]),
    /// Insert the row, or change only these columns of the existing one.
    Upsert(&'static [&'static str]),
}

/// The tables each action writes and how.
fn writes(action: &str) -> Option<&'static [(&'static str, Write)]> {
    use Write::*;
    Some(match action {
        "exporter.add" => &[("exporters", Insert)],
        "customer.add" => &[("customers", Insert), ("customer_events", Insert)],
        "customer.approve" | "customer.suspend" | "customer.unvet" => &[
            ("customers", Update(&["status", "kyc_until"])),
            ("customer_events", Insert),
        ],
        "licence.add" => &[("licences", Insert)],
        "ship.domestic" => &[
            ("domestic_shipments", Insert),
            ("cap_ledger", Upsert(&["us_units"])),
        ],
        "ship.export" => &[
            ("export_shipments", Insert),
            ("duty_accruals", Insert),
            ("licences", Update(&["drawn_units", "drawn_value_usd"])),
            ("cap_ledger", Upsert(&["cn_mo_units"])),
            ("test_reports", Upsert(&["units_used"])),
        ],
        "duty.pay" => &[("duty_payments", Insert)],
        "decision.record" => &[("decisions", Insert)],
        "token.create" => &[("api_tokens", Insert)],
        "token.revoke" => &[("api_tokens", Update(&["revoked_at"]))],
        "audit.checkpoint" => &[("audit_checkpoints", Insert)],
        _ => return None,
    })
}

/// A replayed row of a keyed table and the entry that last wrote it.
struct Held {
    row: Map<String, Value>,
    seq: i64,
}

/// A row of an append-only table the log says was written.
struct Expected {
    id: i64,
    row: Map<String, Value>,
    seq: i64,
}

/// Per append-only table: rows of the current chunk still to compare, the last id the log
/// wrote, and how far the stored table has been compared.
#[derive(Default)]
struct AppendState {
    pending: Vec<Expected>,
    last_id: Option<i64>,
    checked_upto: Option<i64>,
}

/// The replayed state.
struct Replay {
    keyed: Vec<BTreeMap<String, Held>>,
    append: Vec<AppendState>,
    key: Option<ed25519_dalek::VerifyingKey>,
    checkpoints: i64,
    last_checkpoint: Option<i64>,
}

fn table_index(name: &str) -> Option<usize> {
    TABLES.iter().position(|t| t.name == name)
}

fn int_of(row: &Map<String, Value>, col: &str) -> Option<i64> {
    row.get(col).and_then(Value::as_i64)
}

fn dec_of(row: &Map<String, Value>, col: &str) -> Option<Decimal> {
    row.get(col)
        .and_then(Value::as_str)
        .and_then(|s| Decimal::from_str(s).ok())
}

fn str_of<'a>(row: &'a Map<String, Value>, col: &str) -> Option<&'a str> {
    row.get(col).and_then(Value::as_str)
}

impl Replay {
    fn new(key: Option<ed25519_dalek::VerifyingKey>) -> Self {
        Self {
            keyed: TABLES.iter().map(|_| BTreeMap::new()).collect(),
            append: TABLES.iter().map(|_| AppendState::default()).collect(),
            key,
            checkpoints: 0,
            last_checkpoint: None,
        }
    }

    /// Applies one entry (whose chain link was checked) to the replayed state.
    fn apply(&mut self, e: &AuditEntry) -> std::result::Result<(), AuditFault> {
        let bad = |problem: String| AuditFault::entry(e.seq, problem);
        let Some(allowed) = writes(&e.action) else {
            return Err(bad(format!(
                "entry {} has an unknown action '{}': it cannot be replayed",
                e.seq, e.action
            )));
        };
        let mut after: Value = serde_json::from_str(&e.after_json)
            .map_err(|err| bad(format!("entry {}: its record is not JSON ({err})", e.seq)))?;
        let Some(Value::Object(rows)) = after.get_mut("rows").map(Value::take) else {
            return Err(bad(format!(
                "entry {} ({}) does not carry the records it wrote (written before entries \
                 carried them, or altered): the records cannot be replayed",
                e.seq, e.action
            )));
        };
        let mut written: Vec<(usize, Write, Map<String, Value>)> = Vec::new();
        for (table, list) in rows {
            let Some(w) = allowed.iter().find(|(t, _)| *t == table).map(|(_, w)| *w) else {
                return Err(bad(format!(
                    "entry {} ({}) writes table {table}, which that action never writes",
                    e.seq, e.action
                )));
            };
            let Some(ti) = table_index(&table) else {
                return Err(bad(format!("entry {} writes unknown table {table}", e.seq)));
            };
            let def = TABLES[ti];
            let Value::Array(list) = list else {
                return Err(bad(format!(
                    "entry {}: rows of {table} are not a list",
                    e.seq
                )));
            };
            for row in list {
                let Value::Object(row) = row else {
                    return Err(bad(format!(
                        "entry {}: a row of {table} is not an object",
                        e.seq
                    )));
                };
                for c in def.cols {
                    let ok = match (row.get(c.json), c.ty) {
                        (Some(Value::Number(n)), Ty::Int) => n.is_i64(),
                        (Some(Value::String(_)), Ty::Text | Ty::Digest | Ty::OptText) => true,
                        (Some(Value::Null), Ty::OptText) => true,
                        _ => false,
                    };
                    if !ok {
                        return Err(bad(format!(
                            "entry {}: its row of {table} has no valid column {}",
                            e.seq, c.json
                        )));
                    }
                }
                written.push((ti, w, row));
            }
        }
        self.check_arithmetic(e, &written)?;
        for (ti, w, row) in written {
            self.write(e, ti, w, row)?;
        }
        Ok(())
    }

    /// The entry's rows must be its arithmetic on the state before it: an export shipment adds
    /// its units and value to the licence's drawdown and its units to the test report's use and
    /// (when it counts) the China+Macau count; a US end-use shipment adds its units to the US
    /// count. A forged entry that resets a counter does not add up.
    fn check_arithmetic(
        &self,
        e: &AuditEntry,
        written: &[(usize, Write, Map<String, Value>)],
    ) -> std::result::Result<(), AuditFault> {
        let rows_of = |def: &TableDef| -> Vec<&Map<String, Value>> {
            written
                .iter()
                .filter(|(ti, _, _)| TABLES[*ti].name == def.name)
                .map(|(_, _, r)| r)
                .collect()
        };
        let prev = |def: &TableDef, row: &Map<String, Value>| -> Option<&Map<String, Value>> {
            let ti = table_index(def.name)?;
            self.keyed[ti].get(&key_text(def, row)).map(|h| &h.row)
        };
        let bad = |table: &str, col: &str, got: String, want: String| {
            AuditFault::entry(
                e.seq,
                format!(
                    "entry {} ({}) does not add up: {table}.{col} is {got}, but the state before \
                     it and the shipment give {want}",
                    e.seq, e.action
                ),
            )
        };
        // Adds `units` to `col` of the one row of `def` the entry wrote (0 before a new row).
        let check_add = |def: &TableDef, col: &str, units: i64| {
            for row in rows_of(def) {
                let before = prev(def, row).and_then(|p| int_of(p, col)).unwrap_or(0);
                let got = int_of(row, col).unwrap_or_default();
                if before.checked_add(units) != Some(got) {
                    return Err(bad(
                        def.name,
                        col,
                        got.to_string(),
                        format!("{before} + {units}"),
                    ));
                }
            }
            Ok(())
        };
        match e.action.as_str() {
            "ship.export" => {
                let ships = rows_of(&EXPORT_SHIPMENTS);
                let [ship] = ships.as_slice() else {
                    return Err(AuditFault::entry(
                        e.seq,
                        format!(
                            "entry {} (ship.export) must write one export shipment",
                            e.seq
                        ),
                    ));
                };
                let units = int_of(ship, "quantity_units").unwrap_or_default();
                let value = dec_of(ship, "value_usd").unwrap_or_default();
                let licences = rows_of(&LICENCES);
                let [lic] = licences.as_slice() else {
                    return Err(AuditFault::entry(
                        e.seq,
                        format!("entry {} (ship.export) must write its licence", e.seq),
                    ));
                };
                if str_of(lic, "number") != str_of(ship, "licence") {
                    return Err(AuditFault::entry(
                        e.seq,
                        format!(
                            "entry {} (ship.export) writes another licence than the shipment's",
                            e.seq
                        ),
                    ));
                }
                check_add(&LICENCES, "drawn_units", units)?;
                let before = prev(&LICENCES, lic)
                    .and_then(|p| dec_of(p, "drawn_value_usd"))
                    .unwrap_or_default();
                let got = dec_of(lic, "drawn_value_usd").unwrap_or_default();
                if before + value != got {
                    return Err(bad(
                        LICENCES.name,
                        "drawn_value_usd",
                        got.to_string(),
                        format!("{before} + {value}"),
                    ));
                }
                check_add(&CAP_LEDGER, "cn_mo_units", units)?;
                check_add(&TEST_REPORTS, "units_used", units)?;
            }
            "ship.domestic" => {
                let ships = rows_of(&DOMESTIC_SHIPMENTS);
                let units: i64 = ships
                    .iter()
                    .map(|r| int_of(r, "quantity_units").unwrap_or_default())
                    .sum();
                check_add(&CAP_LEDGER, "us_units", units)?;
            }
            _ => {}
        }
        Ok(())
    }

    fn write(
        &mut self,
        e: &AuditEntry,
        ti: usize,
        w: Write,
        row: Map<String, Value>,
    ) -> std::result::Result<(), AuditFault> {
        let def = TABLES[ti];
        let key = key_text(def, &row);
        let bad = |problem: String| AuditFault::entry(e.seq, problem);
        match def.kind {
            Kind::Append => {
                let id = int_of(&row, def.cols[0].json).unwrap_or_default();
                let st = &mut self.append[ti];
                if let Some(last) = st.last_id {
                    if id <= last {
                        return Err(bad(format!(
                            "entry {} writes {} row {id} after row {last}: ids only grow, so a \
                             row was deleted before this entry and its id used again",
                            e.seq, def.name
                        )));
                    }
                }
                st.last_id = Some(id);
                if def.name == AUDIT_CHECKPOINTS.name {
                    self.check_checkpoint(e, &row)?;
                }
                self.append[ti].pending.push(Expected {
                    id,
                    row,
                    seq: e.seq,
                });
            }
            Kind::Keyed => {
                let map = &mut self.keyed[ti];
                let prev = map.get(&key);
                let changeable: &[&str] = match (w, prev) {
                    (Write::Insert, None) | (Write::Upsert(_), None) => &[],
                    (Write::Insert, Some(p)) => {
                        return Err(bad(format!(
                            "entry {} ({}) adds {} row {key}, which entry {} already wrote",
                            e.seq, e.action, def.name, p.seq
                        )))
                    }
                    (Write::Update(_), None) => {
                        return Err(bad(format!(
                            "entry {} ({}) changes {} row {key}, which no entry before it wrote",
                            e.seq, e.action, def.name
                        )))
                    }
                    (Write::Update(cols), Some(_)) | (Write::Upsert(cols), Some(_)) => cols,
                };
                if let Some(p) = prev {
                    for c in def.cols {
                        if changeable.contains(&c.json) {
                            continue;
                        }
                        if p.row.get(c.json) != row.get(c.json) {
                            return Err(bad(format!(
                                "entry {} ({}) changes column {} of {} row {key}, which that \
                                 action never changes",
                                e.seq, e.action, c.json, def.name
                            )));
                        }
                    }
                }
                map.insert(key, Held { row, seq: e.seq });
            }
        }
        Ok(())
    }

    /// A checkpoint entry signs the head just before it.
    fn check_checkpoint(
        &mut self,
        e: &AuditEntry,
        row: &Map<String, Value>,
    ) -> std::result::Result<(), AuditFault> {
        let seq = int_of(row, "seq").unwrap_or_default();
        let hash = str_of(row, "hash").unwrap_or_default();
        let public_key = str_of(row, "public_key").unwrap_or_default();
        let signature = str_of(row, "signature").unwrap_or_default();
        let bad = |problem: String| {
            AuditFault::record(
                e.seq,
                AUDIT_CHECKPOINTS.name,
                &seq.to_string(),
                None,
                problem,
            )
        };
        if seq != e.seq - 1 || hash != e.prev_hash {
            return Err(bad(format!(
                "checkpoint of entry {} signs entry {seq} with hash {hash}, but the entry \
                 before it is {} with hash {}",
                e.seq,
                e.seq - 1,
                e.prev_hash
            )));
        }
        let key = match &self.key {
            Some(k) => {
                if checkpoint::key_hex(k) != public_key {
                    return Err(bad(format!(
                        "checkpoint of entry {seq} is signed by key {public_key}, not by the \
                         key given ({})",
                        checkpoint::key_hex(k)
                    )));
                }
                *k
            }
            None => checkpoint::key_from_hex(public_key)
                .map_err(|m| bad(format!("checkpoint of entry {seq}: {m}")))?,
        };
        if !checkpoint::verify(&key, seq, hash, signature) {
            return Err(bad(format!(
                "checkpoint of entry {seq}: the signature does not verify for seq {seq} and \
                 hash {hash} (the chain was recomputed, or the checkpoint forged)"
            )));
        }
        self.checkpoints += 1;
        self.last_checkpoint = Some(seq);
        Ok(())
    }
}

/// Rows the stored tables hold, from `after` (exclusive) up to `upto` (inclusive, or to the
/// end), in id order, compared with the expected ones.
async fn compare_append(
    conn: &mut AnyConnection,
    def: &TableDef,
    st: &mut AppendState,
    upto: Option<i64>,
) -> Result<Option<AuditFault>> {
    let id = def.cols[0].name;
    let from = st.checked_upto.unwrap_or(i64::MIN);
    let sql = match upto {
        Some(_) => format!(
            "SELECT {} FROM {} WHERE {id} > $1 AND {id} <= $2 ORDER BY {id}",
            select_cols(def),
            def.name
        ),
        None => format!(
            "SELECT {} FROM {} WHERE {id} > $1 ORDER BY {id}",
            select_cols(def),
            def.name
        ),
    };
    let mut q = sqlx::query(&sql).bind(from);
    if let Some(u) = upto {
        q = q.bind(u);
    }
    let mut stream = q.fetch(&mut *conn);
    let mut expected = std::mem::take(&mut st.pending).into_iter().peekable();
    let mut fault = None;
    while let Some(r) = stream.try_next().await? {
        let sid: i64 = r.try_get(id)?;
        // Expected rows before this stored one are gone.
        if let Some(x) = expected.next_if(|x| x.id < sid) {
            fault = Some(AuditFault::record(
                x.seq,
                def.name,
                &x.id.to_string(),
                None,
                format!(
                    "the row is missing: entry {} wrote it, the table no longer holds it",
                    x.seq
                ),
            ));
            break;
        }
        match expected.next_if(|x| x.id == sid) {
            Some(x) => {
                if let Some(f) = compare_row(def, &r, &x.row, x.seq, &sid.to_string())? {
                    fault = Some(f);
                    break;
                }
            }
            None => {
                fault = Some(AuditFault::record(
                    0,
                    def.name,
                    &sid.to_string(),
                    None,
                    "no audit entry wrote this row (inserted outside tollgate, or its entry \
                     was removed)",
                ));
                break;
            }
        }
    }
    drop(stream);
    if fault.is_none() {
        if let Some(x) = expected.next() {
            fault = Some(AuditFault::record(
                x.seq,
                def.name,
                &x.id.to_string(),
                None,
                format!(
                    "the row is missing: entry {} wrote it, the table no longer holds it",
                    x.seq
                ),
            ));
        }
    }
    if let Some(u) = upto {
        st.checked_upto = Some(u);
    }
    Ok(fault)
}

fn compare_row(
    def: &TableDef,
    r: &AnyRow,
    expected: &Map<String, Value>,
    seq: i64,
    key: &str,
) -> Result<Option<AuditFault>> {
    for c in def.cols {
        let stored = stored_json(c, r)?;
        let want = expected.get(c.json).unwrap_or(&Value::Null);
        if &stored != want {
            let (s, w) = match c.ty {
                Ty::Digest => (
                    "a different value".to_string(),
                    "another (shown as its SHA-256 only)".to_string(),
                ),
                _ => (show(&stored), show(want)),
            };
            return Ok(Some(AuditFault::record(
                seq,
                def.name,
                key,
                Some(c.name),
                format!("stored {s}, but the audit log (entry {seq}) says {w}"),
            )));
        }
    }
    Ok(None)
}

/// Every stored row of a keyed table against the replayed rows.
async fn compare_keyed(
    conn: &mut AnyConnection,
    def: &TableDef,
    replayed: &mut BTreeMap<String, Held>,
) -> Result<Option<AuditFault>> {
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        select_cols(def),
        def.name,
        key_cols(def)
    );
    let mut stream = sqlx::query(&sql).fetch(&mut *conn);
    while let Some(r) = stream.try_next().await? {
        let mut stored = Map::new();
        for c in def.cols {
            stored.insert(c.json.to_string(), stored_json(c, &r)?);
        }
        let key = key_text(def, &stored);
        match replayed.remove(&key) {
            Some(h) => {
                if let Some(f) = compare_row(def, &r, &h.row, h.seq, &key)? {
                    return Ok(Some(f));
                }
            }
            None => {
                // A cap row at zero is what a refused shipment's lock can leave behind: the
                // same as no row.
                let zero_cap = def.name == CAP_LEDGER.name
                    && int_of(&stored, "us_units") == Some(0)
                    && int_of(&stored, "cn_mo_units") == Some(0);
                if !zero_cap {
                    return Ok(Some(AuditFault::record(
                        0,
                        def.name,
                        &key,
                        None,
                        "no audit entry wrote this row (inserted outside tollgate, or its entry \
                         was removed)",
                    )));
                }
            }
        }
    }
    drop(stream);
    if let Some((key, h)) = replayed.pop_first() {
        return Ok(Some(AuditFault::record(
            h.seq,
            def.name,
            &key,
            None,
            format!(
                "the row is missing: entry {} wrote it, the table no longer holds it",
                h.seq
            ),
        )));
    }
    Ok(None)
}

/// Log entries read per query.
const CHUNK: i64 = 2000;

pub(crate) fn entry_from_row(r: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        entity: r.try_get("entity")?,
        before_json: r.try_get("before_json")?,
        after_json: r.try_get("after_json")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

/// Verifies the log and the records on `conn`, which must be inside one read snapshot.
pub(crate) async fn verify(
    conn: &mut AnyConnection,
    key: Option<&ed25519_dalek::VerifyingKey>,
) -> Result<AuditReport> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (head_seq, head_hash): (i64, String) = match head {
        Some(r) => (r.try_get("seq")?, r.try_get("hash")?),
        None => (-1, "(audit head missing)".into()),
    };
    let mut report = AuditReport {
        entries: 0,
        head_hash: head_hash.clone(),
        first_bad: None,
        checkpoints: 0,
        last_checkpoint_seq: None,
        key_checked: key.is_some(),
    };
    let mut chain = Chain::new();
    let mut replay = Replay::new(key.copied());
    let mut after = i64::MIN;
    let fault = 'check: {
        loop {
            let rows = sqlx::query(
                "SELECT seq, at, actor, action, entity, before_json, after_json, prev_hash, hash \
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(CHUNK)
            .fetch_all(&mut *conn)
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("seq")?;
            for r in &rows {
                let e = entry_from_row(r)?;
                report.entries += 1;
                if let Err(f) = chain.step(&e) {
                    break 'check Some(f);
                }
                if let Err(f) = replay.apply(&e) {
                    break 'check Some(f);
                }
            }
            drop(rows);
            for (ti, def) in TABLES.iter().enumerate() {
                let st = &mut replay.append[ti];
                let Some(upto) = st.pending.last().map(|x| x.id) else {
                    continue;
                };
                if let Some(f) = compare_append(conn, def, st, Some(upto)).await? {
                    break 'check Some(f);
                }
            }
        }
        if let Err(f) = chain.finish(head_seq, &head_hash) {
            break 'check Some(f);
        }
        for (ti, def) in TABLES.iter().enumerate() {
            let f = match def.kind {
                Kind::Append => compare_append(conn, def, &mut replay.append[ti], None).await?,
                Kind::Keyed => compare_keyed(conn, def, &mut replay.keyed[ti]).await?,
            };
            if f.is_some() {
                break 'check f;
            }
        }
        if key.is_some() && replay.checkpoints == 0 {
            break 'check Some(AuditFault::entry(
                head_seq.max(0),
                "no signed checkpoint in the log: nothing proves the chain was not recomputed \
                 (write one with `tollgate audit checkpoint --key FILE`)",
            ));
        }
        None
    };
    report.first_bad = fault;
    report.checkpoints = replay.checkpoints;
    report.last_checkpoint_seq = replay.last_checkpoint;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The text written for a row is the JSON of the row's map, for every kind of column.
    #[test]
    fn written_rows_are_the_rows_json() {
        let vals = vec![
            Val::S("tok-1".into()),
            Val::S("secret-hash \" é".into()),
            Val::S("exporter".into()),
            Val::N(Some("nvidia \n".into())),
            Val::S("2026-01-01T00:00:00Z".into()),
            Val::N(None),
        ];
        let mut rows = Rows::new();
        rows.add(&API_TOKENS, &vals).add(&API_TOKENS, &vals);
        let mut cap = Rows::new();
        cap.add(
            &CAP_LEDGER,
            &[
                Val::S("a".into()),
                Val::S("b".into()),
                Val::I(-3),
                Val::I(i64::MAX),
            ],
        );
        let got: Value = serde_json::from_str(&rows.after_text()).unwrap();
        let one = row_json(&API_TOKENS, &vals);
        assert_eq!(got, json!({"rows": {"api_tokens": [one.clone(), one]}}));
        assert_eq!(
            cap.after_text(),
            json!({"rows": {"cap_ledger": [{"exporter": "a", "chip": "b", "us_units": -3, "cn_mo_units": i64::MAX}]}}).to_string()
        );
    }
}
