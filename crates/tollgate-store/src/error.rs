//! The one error type of the store, and the typed refusals (a rule said no, with its numbers).

use rust_decimal::Decimal;
use serde::Serialize;

/// Everything a store call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The input is malformed or names nothing (CLI exit 2). `field` names the input field.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// A rule refused the write (CLI exit 3). Nothing was changed.
    #[error("refused by rule {rule}: {refusal}", rule = .0.rule(), refusal = .0)]
    Refused(Refusal),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored row could not be read back (a value that does not parse).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The write could not be carried out or confirmed (the process is shutting down); like a
    /// dropped connection, it may or may not have been recorded: retry with its idempotency key.
    #[error("records unavailable: {0}")]
    Unavailable(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// PostgreSQL serialization failures, deadlocks and unique violations (a concurrent writer
    /// used the same idempotency key) are retried by the store.
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            StoreError::Db(sqlx::Error::Database(e)) => {
                matches!(e.code().as_deref(), Some("40001" | "40P01" | "23505"))
            }
            _ => false,
        }
    }
}

impl From<Refusal> for StoreError {
    fn from(r: Refusal) -> Self {
        StoreError::Refused(r)
    }
}

/// Why a write was refused: the rule and the numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind")]
pub enum Refusal {
    #[error("licence {licence} is unknown")]
    LicenceUnknown { licence: String },
    #[error("licence {licence} expired on {valid_until}; shipment dated {date}")]
    LicenceExpired {
        licence: String,
        valid_until: String,
        date: String,
    },
    #[error("licence {licence} is {status}, not active")]
    LicenceNotActive { licence: String, status: String },
    #[error("licence {licence} is exhausted: units drawn {units_drawn} of {units_limit}, value drawn {value_drawn} of {value_limit}")]
    LicenceExhausted {
        licence: String,
        units_drawn: i64,
        units_limit: i64,
        value_drawn: Decimal,
        value_limit: Decimal,
    },
    #[error("licence {licence} units would be overdrawn: drawn {drawn}, requested {requested}, limit {limit}")]
    DrawdownUnits {
        licence: String,
        drawn: i64,
        requested: i64,
        limit: i64,
    },
    #[error("licence {licence} value would be overdrawn: drawn {drawn}, requested {requested}, limit {limit}")]
    DrawdownValue {
        licence: String,
        drawn: Decimal,
        requested: Decimal,
        limit: Decimal,
    },
    #[error("customer {customer} is {status}, not approved")]
    CustomerNotApproved { customer: String, status: String },
    #[error("customer {customer}'s KYC / remote-access attestation lapsed on {kyc_until}; shipment dated {date}")]
    KycLapsed {
        customer: String,
        kyc_until: String,
        date: String,
    },
    #[error("no test report for this shipment")]
    TestReportMissing,
    #[error("test report {report_id} is dated {report_date}, after the shipment date {date}")]
    TestReportAfterShipment {
        report_id: String,
        report_date: String,
        date: String,
    },
    #[error(
        "test report {report_id} covers {units_tested} units, fewer than the {quantity} shipped"
    )]
    TestReportTooFewUnits {
        report_id: String,
        units_tested: i64,
        quantity: i64,
    },
    #[error("test report {report_id} names chip {report_chip}; the licence is for {licence_chip}")]
    TestReportOtherChip {
        report_id: String,
        report_chip: String,
        licence_chip: String,
    },
    #[error("test report {report_id} measures {metric} {measured}, beyond the criterion {metric} {op} {limit} (rule {criterion})")]
    TestReportBeyondCriteria {
        report_id: String,
        metric: String,
        measured: Decimal,
        op: String,
        limit: Decimal,
        criterion: String,
    },
    #[error("test-report.units_tested: test report {report_id} covers {units_tested} units across all shipments; {units_used} are already shipped under it, {requested} more requested")]
    TestReportExhausted {
        report_id: String,
        units_tested: i64,
        units_used: i64,
        requested: i64,
    },
    #[error("test-report.{field}: test report {report_id} was first recorded with {field} {recorded}; this copy says {given}")]
    TestReportConflict {
        report_id: String,
        field: String,
        recorded: String,
        given: String,
    },
    #[error("test-report.measured.{metric}: test report {report_id} measures {metric} {measured}, not within {tolerance_pct} % of the catalog figure {catalog} for {chip}")]
    TestReportImplausible {
        report_id: String,
        metric: String,
        measured: Decimal,
        catalog: Decimal,
        chip: String,
        tolerance_pct: Decimal,
    },
    #[error("date: a US end-use shipment dated {date} is more than {tolerance_days} day(s) in the future (latest accepted today: {latest})")]
    DomesticFutureDate {
        date: String,
        latest: String,
        tolerance_days: i64,
    },
    #[error("customs-value: {customs_value} is below {min_pct} % of the declared value {value} of a chip in duty band {band}; give the reason (low-value-reason) to record it")]
    CustomsValueTooLow {
        customs_value: Decimal,
        value: Decimal,
        min_pct: Decimal,
        band: String,
    },
    #[error("the pack in force on {date} ({pack}) has no AI-commodity rule: no shipment can be recorded under it")]
    NoRuleInForce { date: String, pack: String },
    #[error("China+Macau volume cap ({rule}) for {exporter} / {chip}: shipped {shipped}, requested {requested}, allowed {allowed} ({ratio} of {us_units} US end-use units)")]
    VolumeCap {
        rule: String,
        exporter: String,
        chip: String,
        us_units: i64,
        shipped: i64,
        requested: i64,
        allowed: i64,
        ratio: Decimal,
    },
    #[error("item {index} of the batch: {inner}")]
    InBatch { index: usize, inner: Box<Refusal> },
}

impl Refusal {
    /// The stable rule id.
    pub fn rule(&self) -> &'static str {
        match self {
            Refusal::LicenceUnknown { .. } => "licence-unknown",
            Refusal::LicenceExpired { .. } => "licence-expired",
            Refusal::LicenceNotActive { .. } => "licence-not-active",
            Refusal::LicenceExhausted { .. } => "licence-exhausted",
            Refusal::DrawdownUnits { .. } => "licence-drawdown-units",
            Refusal::DrawdownValue { .. } => "licence-drawdown-value",
            Refusal::CustomerNotApproved { .. } => "customer-not-approved",
            Refusal::KycLapsed { .. } => "customer-kyc-lapsed",
            Refusal::TestReportMissing => "test-report-missing",
            Refusal::TestReportAfterShipment { .. } => "test-report-after-shipment",
            Refusal::TestReportTooFewUnits { .. } => "test-report-too-few-units",
            Refusal::TestReportOtherChip { .. } => "test-report-other-chip",
            Refusal::TestReportBeyondCriteria { .. } => "test-report-beyond-criteria",
            Refusal::TestReportExhausted { .. } => "test-report-units-used-up",
            Refusal::TestReportConflict { .. } => "test-report-conflict",
            Refusal::TestReportImplausible { .. } => "test-report-implausible",
            Refusal::DomesticFutureDate { .. } => "domestic-date-in-future",
            Refusal::CustomsValueTooLow { .. } => "customs-value-too-low",
            Refusal::NoRuleInForce { .. } => "no-ai-commodity-rule-in-force",
            Refusal::VolumeCap { .. } => "china-macau-volume-cap",
            Refusal::InBatch { inner, .. } => inner.rule(),
        }
    }
}
