//! The records, as values. Quantities are whole units (`*_units`), money is exact USD
//! (`*_usd`, `rust_decimal::Decimal`, stored as decimal text), dates are `NaiveDate`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Who is writing, and the optional idempotency key that makes a retried write a no-op.
#[derive(Debug, Clone, Default)]
pub struct WriteCtx {
    pub actor: String,
    pub idempotency_key: Option<String>,
}

impl WriteCtx {
    pub fn new(actor: impl Into<String>) -> Self {
        Self {
            actor: actor.into(),
            idempotency_key: None,
        }
    }
    pub fn with_key(mut self, key: Option<String>) -> Self {
        self.idempotency_key = key;
        self
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VettingStatus {
    Unvetted,
    Approved,
    Suspended,
}

impl VettingStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            VettingStatus::Unvetted => "unvetted",
            VettingStatus::Approved => "approved",
            VettingStatus::Suspended => "suspended",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "unvetted" => Some(VettingStatus::Unvetted),
            "approved" => Some(VettingStatus::Approved),
            "suspended" => Some(VettingStatus::Suspended),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub id: Option<String>,
    pub name: String,
    pub country: String,
    pub headquarters: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub country: String,
    pub headquarters: String,
    pub status: VettingStatus,
    pub kyc_until: Option<NaiveDate>,
    pub created_at: String,
    /// The exporter that registered the customer (`None`: added without one, e.g. by the
    /// records CLI). Defaulted so responses stored before owners existed still read back.
    #[serde(default)]
    pub owner: Option<String>,
}

/// One entry of a customer's vetting history (append-only).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VettingEvent {
    pub status: VettingStatus,
    pub kyc_until: Option<NaiveDate>,
    pub reason: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone)]
pub struct NewLicence {
    pub number: String,
    pub exporter: String,
    pub customer_id: String,
    pub chip: String,
    pub quantity_units: i64,
    pub value_usd: Decimal,
    pub valid_until: NaiveDate,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Licence {
    pub number: String,
    pub exporter: String,
    pub customer_id: String,
    pub chip: String,
    pub quantity_units: i64,
    pub value_usd: Decimal,
    pub valid_until: NaiveDate,
    pub status: String,
    pub drawn_units: i64,
    pub drawn_value_usd: Decimal,
    pub created_at: String,
}

impl Licence {
    pub fn remaining_units(&self) -> i64 {
        self.quantity_units - self.drawn_units
    }
    pub fn remaining_value_usd(&self) -> Decimal {
        self.value_usd - self.drawn_value_usd
    }
}

#[derive(Debug, Clone)]
pub struct NewDomestic {
    pub exporter: String,
    pub chip: String,
    pub quantity_units: i64,
    pub date: NaiveDate,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomesticShipment {
    pub id: i64,
    pub exporter: String,
    pub chip: String,
    pub quantity_units: i64,
    pub date: NaiveDate,
}

/// The measured figures of a third-party test report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measured {
    pub tpp: Decimal,
    pub dram_bandwidth_gbs: Decimal,
}

/// A third-party test report (INTERFACES.md section 4).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestReport {
    pub lab: String,
    pub report_id: String,
    pub date: NaiveDate,
    pub chip: String,
    pub units_tested: i64,
    pub measured: Measured,
}

#[derive(Debug, Clone)]
pub struct NewExport {
    pub licence: String,
    pub quantity_units: i64,
    pub value_usd: Decimal,
    pub date: NaiveDate,
    /// `None`: no report was given (refused: test-report-missing).
    pub test_report: Option<TestReport>,
    /// Defaults to `value_usd`.
    pub customs_value_usd: Option<Decimal>,
    /// Why the customs value is 0 or below [`crate::rules::MIN_CUSTOMS_PCT`] % of the declared
    /// value; without it such a shipment of a dutiable chip is refused.
    pub low_value_reason: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportShipment {
    pub id: i64,
    pub licence: String,
    pub exporter: String,
    pub customer_id: String,
    pub chip: String,
    pub destination: String,
    pub quantity_units: i64,
    pub value_usd: Decimal,
    pub customs_value_usd: Decimal,
    pub date: NaiveDate,
    pub pack_id: String,
    pub duty: DutyAccrual,
}

/// The duty accrued by one export shipment; `band: None` means none accrues, `reason` says why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyAccrual {
    pub band: Option<String>,
    pub rate_pct: Decimal,
    pub amount_usd: Decimal,
    pub reason: String,
    /// Why the customs value is far below the declared value (required then on a dutiable
    /// chip: see [`crate::rules::MIN_CUSTOMS_PCT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_value_reason: Option<String>,
}

/// The China+Macau cap position of one exporter and chip (cumulative ledger).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapPosition {
    pub exporter: String,
    pub chip: String,
    pub us_units: i64,
    pub china_macau_units: i64,
    pub ratio: Decimal,
    pub allowed_units: i64,
    pub headroom_units: i64,
    pub pack_id: String,
}

#[derive(Debug, Clone)]
pub struct NewPayment {
    pub exporter: String,
    pub amount_usd: Decimal,
    pub reference: String,
    pub date: NaiveDate,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyPayment {
    pub id: i64,
    pub exporter: String,
    pub amount_usd: Decimal,
    pub reference: String,
    pub date: NaiveDate,
}

/// A calendar quarter, e.g. `2026Q1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    pub q: u32,
}

impl Quarter {
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_uppercase();
        let (y, q) = s.split_once('Q')?;
        let year: i32 = y.parse().ok()?;
        let q: u32 = q.parse().ok()?;
        if !(1..=4).contains(&q) || !(1900..=9999).contains(&year) {
            return None;
        }
        Some(Self { year, q })
    }
    pub fn first_day(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1)
    }
    pub fn last_day(&self) -> Option<NaiveDate> {
        let next = if self.q == 4 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.q * 3 + 1, 1)
        }?;
        next.pred_opt()
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}Q{}", self.year, self.q)
    }
}

/// One line of a duty statement: accruals of one chip to one destination in the quarter.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementLine {
    pub chip: String,
    pub destination: String,
    pub shipments: i64,
    pub units: i64,
    pub customs_value_usd: Decimal,
    pub band: Option<String>,
    pub rate_pct: Decimal,
    pub accrued_usd: Decimal,
    /// Why duty does (or does not) accrue.
    pub reason: String,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyStatement {
    pub exporter: String,
    pub quarter: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Outstanding at the start of the quarter (all accruals less all payments before it).
    pub opening_outstanding_usd: Decimal,
    pub accrued_usd: Decimal,
    pub paid_usd: Decimal,
    /// Outstanding at the end of the quarter.
    pub outstanding_usd: Decimal,
    pub lines: Vec<StatementLine>,
    pub payments: Vec<DutyPayment>,
    /// The quarter's shipments declared with a customs value far below their value, each with
    /// the reason given (absent when there are none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub low_value: Vec<LowValueShipment>,
}

/// An export shipment whose customs value is far below its declared value, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LowValueShipment {
    pub shipment_id: i64,
    pub chip: String,
    pub destination: String,
    pub date: NaiveDate,
    pub customs_value_usd: Decimal,
    pub accrued_usd: Decimal,
    pub reason: String,
}

/// A decision of `tollgate check`, kept for replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDecision {
    pub order_id: String,
    pub as_of: NaiveDate,
    pub pack_id: String,
    pub list_versions: serde_json::Value,
    pub decision: serde_json::Value,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub id: i64,
    pub order_id: String,
    pub as_of: NaiveDate,
    pub pack_id: String,
    pub list_versions: serde_json::Value,
    pub decision: serde_json::Value,
    pub created_at: String,
}

/// One audit log entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before_json: String,
    pub after_json: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The outcome of `audit verify`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    pub entries: i64,
    pub head_hash: String,
    /// `None`: intact (the chain recomputes to the head and the replayed log equals every
    /// stored record). Otherwise the first fault and why.
    pub first_bad: Option<AuditFault>,
    /// Signed checkpoints in the log, each checked against the replayed chain.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub checkpoints: i64,
    /// The head (seq) signed by the latest checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checkpoint_seq: Option<i64>,
    /// The checkpoints were checked against a public key given by the caller (not just against
    /// the key stored beside each).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key_checked: bool,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// The first fault `audit verify` found: an entry of the chain (`table` is `None`), or a stored
/// record that differs from what the log says (`table`, `row` and `column` name it; `seq` is
/// the entry that last wrote it, 0 when no entry did).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditFault {
    pub seq: i64,
    pub problem: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl AuditFault {
    /// A fault of the chain itself, at entry `seq`.
    pub fn entry(seq: i64, problem: impl Into<String>) -> Self {
        Self {
            seq,
            problem: problem.into(),
            table: None,
            row: None,
            column: None,
        }
    }

    /// A stored record that differs from the replayed log.
    pub fn record(
        seq: i64,
        table: &str,
        row: &str,
        column: Option<&str>,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            seq,
            problem: problem.into(),
            table: Some(table.to_string()),
            row: Some(row.to_string()),
            column: column.map(str::to_string),
        }
    }
}

impl std::fmt::Display for AuditFault {
    /// One line naming where the fault is: the entry, or the table, row and column.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.table, &self.row) {
            (Some(t), Some(r)) => {
                write!(f, "table {t}, row {r}")?;
                if let Some(c) = &self.column {
                    write!(f, ", column {c}")?;
                }
                write!(f, ": {}", self.problem)
            }
            _ => write!(f, "entry {}: {}", self.seq, self.problem),
        }
    }
}

/// A signed checkpoint of the audit head: `signature` (ed25519, hex) over the head's `seq` and
/// `hash` by the key whose public half is `public_key` (hex). Stored as an audit entry of its own
/// (the entry after the head it signs).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub public_key: String,
    pub signature: String,
    pub at: String,
}

impl TestReport {
    /// Parses a test report document (INTERFACES.md section 4). Numbers are read from their JSON
    /// text, never through f64. Errors name the field.
    pub fn from_json(text: &str) -> crate::Result<TestReport> {
        use crate::StoreError;
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| StoreError::invalid("test-report", format!("not JSON: {e}")))?;
        let field = |k: &str| -> crate::Result<&serde_json::Value> {
            v.get(k)
                .ok_or_else(|| StoreError::invalid(&format!("test-report.{k}"), "missing"))
        };
        let string = |k: &str| -> crate::Result<String> {
            field(k)?
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| StoreError::invalid(&format!("test-report.{k}"), "must be a string"))
        };
        let number = |path: &str, x: &serde_json::Value| -> crate::Result<Decimal> {
            let text = match x {
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::String(s) => s.clone(),
                _ => return Err(StoreError::invalid(path, "must be a number")),
            };
            Decimal::from_str_exact(&text)
                .or_else(|_| Decimal::from_scientific(&text))
                .map_err(|_| StoreError::invalid(path, format!("'{text}' is not a number")))
        };
        let date_s = string("date")?;
        let date = NaiveDate::parse_from_str(&date_s, "%Y-%m-%d").map_err(|_| {
            StoreError::invalid("test-report.date", format!("'{date_s}' is not YYYY-MM-DD"))
        })?;
        let units_tested = field("units_tested")?
            .as_i64()
            .filter(|n| *n >= 0)
            .ok_or_else(|| {
                StoreError::invalid("test-report.units_tested", "must be a whole number >= 0")
            })?;
        let m = field("measured")?;
        let mf = |k: &str| -> crate::Result<Decimal> {
            let path = format!("test-report.measured.{k}");
            let x = m
                .get(k)
                .ok_or_else(|| StoreError::invalid(&path, "missing"))?;
            number(&path, x)
        };
        Ok(TestReport {
            lab: string("lab")?,
            report_id: string("report_id")?,
            date,
            chip: string("chip")?,
            units_tested,
            measured: Measured {
                tpp: mf("tpp")?,
                dram_bandwidth_gbs: mf("dram_bandwidth_gbs")?,
            },
        })
    }
}

/// The role of an API token (INTERFACES.md section 5).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenRole {
    /// Sees and writes only its own exporter's records.
    Exporter,
    /// Approves customers and adds licences, sees all.
    Regulator,
    /// Read-only, all.
    Auditor,
}

impl TokenRole {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "exporter" => Some(TokenRole::Exporter),
            "regulator" => Some(TokenRole::Regulator),
            "auditor" => Some(TokenRole::Auditor),
            _ => None,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            TokenRole::Exporter => "exporter",
            TokenRole::Regulator => "regulator",
            TokenRole::Auditor => "auditor",
        }
    }
}

/// A stored API token: never the secret, only its SHA-256 (kept out of this value too).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: String,
    pub role: TokenRole,
    /// The exporter an `exporter` token acts for (required for that role, absent otherwise).
    pub exporter: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A token just created: the record and the secret, which is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewTokenSecret {
    pub token: ApiToken,
    pub secret: String,
}

/// Hex SHA-256 of a token secret: the only form in which tokens are stored or looked up.
pub fn hash_token(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let d = Sha256::digest(secret.as_bytes());
    // Every request hashes its bearer token: write the hex directly, without a format per byte.
    let mut out = String::with_capacity(64);
    for b in d.iter() {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}
