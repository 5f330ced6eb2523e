//! tollgate-store keeps tollgate's records: exporters, customers and their vetting history,
//! licences and their drawdown, US end-use and export shipments, the China+Macau volume-cap
//! ledger, the Section 232 duty ledger, recorded decisions and a SHA-256 hash-chained audit log.
//! The invariants (drawdown within limits, the cap, vetted customers, valid test reports) are
//! checked inside the database transaction that writes, on SQLite and PostgreSQL alike.
//!
//! Not here: the rules themselves. Thresholds, the cap ratio and duty rates come from the
//! regulation pack in force (tollgate-core); this crate only applies them to stored state.

// Refusals carry their rule and numbers by value; they are the rare path, so the size of the
// error variant is not worth an allocation on every refusal.
#![allow(clippy::result_large_err)]

pub mod audit;
pub mod checkpoint;
pub mod error;
pub mod group;
pub mod list_versions;
pub mod model;
mod replay;
pub mod rules;
pub mod sql;

pub use error::{Refusal, Result, StoreError};
pub use model::*;
pub use sql::{Backend, SqlStore};

use chrono::NaiveDate;

/// The records repository. Writes take a [`WriteCtx`] (actor and optional idempotency key),
/// are atomic, append their audit entries in the same transaction, and change nothing when they
/// fail. There is no update or delete of audit entries, shipments or payments: corrections are
/// new records.
// The futures are used with concrete store types, so their Send-ness is known at each call site.
#[allow(async_fn_in_trait)]
pub trait Records {
    /// Adds a customer (unvetted). Prints nothing; returns the stored customer with its id.
    async fn add_customer(&self, ctx: &WriteCtx, c: NewCustomer) -> Result<Customer>;
    /// Adds a customer owned by `owner`, the exporter that registers it: only that exporter (and
    /// the regulator and auditor) see it, and only that exporter's licences may name it.
    async fn add_customer_for(
        &self,
        ctx: &WriteCtx,
        c: NewCustomer,
        owner: &str,
    ) -> Result<Customer>;
    /// Approves a customer: KYC and remote-access safeguards attested until `kyc_until`.
    async fn approve_customer(
        &self,
        ctx: &WriteCtx,
        id: &str,
        kyc_until: NaiveDate,
    ) -> Result<Customer>;
    /// Suspends a customer.
    async fn suspend_customer(&self, ctx: &WriteCtx, id: &str, reason: &str) -> Result<Customer>;
    /// A customer and its vetting history, oldest first.
    async fn customer(&self, id: &str) -> Result<Option<(Customer, Vec<VettingEvent>)>>;
    /// Adds a licence (the exporter is created on first use).
    async fn add_licence(&self, ctx: &WriteCtx, l: NewLicence) -> Result<Licence>;
    async fn licence(&self, number: &str) -> Result<Option<Licence>>;
    /// Records US end-use units (the cap's base).
    async fn ship_domestic(&self, ctx: &WriteCtx, d: NewDomestic) -> Result<DomesticShipment>;
    /// Records a batch of export shipments atomically: all are stored or none (the refusal names
    /// the item). Each draws on its licence, counts toward the cap and accrues duty.
    async fn ship_exports(
        &self,
        ctx: &WriteCtx,
        items: Vec<NewExport>,
    ) -> Result<Vec<ExportShipment>>;
    /// The ids of all stored export shipments.
    async fn export_shipment_ids(&self) -> Result<Vec<i64>>;
    /// The cumulative cap position, with the ratio of the pack in force on `as_of`.
    async fn cap(&self, exporter: &str, chip: &str, as_of: NaiveDate) -> Result<CapPosition>;
    async fn pay_duty(&self, ctx: &WriteCtx, p: NewPayment) -> Result<DutyPayment>;
    async fn duty_statement(&self, exporter: &str, quarter: Quarter) -> Result<DutyStatement>;
    /// Records a `tollgate check` decision for replay.
    async fn record_decision(&self, ctx: &WriteCtx, d: NewDecision) -> Result<Decision>;
    async fn decision(&self, id: i64) -> Result<Option<Decision>>;
    /// Customers, oldest first; `owner: Some(e)` keeps only exporter `e`'s.
    async fn customers(&self, owner: Option<&str>) -> Result<Vec<Customer>>;
    /// Licences by number; `exporter: Some(e)` keeps only exporter `e`'s.
    async fn licences(&self, exporter: Option<&str>) -> Result<Vec<Licence>>;
    /// Every cap ledger row (exporter and chip), with the ratio of the pack in force on `as_of`.
    async fn cap_positions(
        &self,
        exporter: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<Vec<CapPosition>>;
    /// The known exporters.
    async fn exporters(&self) -> Result<Vec<String>>;
    /// The quarters from an exporter's first to its last duty accrual or payment (at most the
    /// latest [`sql::MAX_QUARTERS`]).
    async fn duty_quarters(&self, exporter: &str) -> Result<Vec<Quarter>>;
    /// The latest recorded decisions, newest first (at most `limit`).
    async fn decisions(&self, limit: i64) -> Result<Vec<Decision>>;
    /// Creates an API token; the secret is returned once and only its SHA-256 is stored.
    /// An `exporter` token must name its exporter; the others must not.
    async fn create_token(
        &self,
        ctx: &WriteCtx,
        role: TokenRole,
        exporter: Option<String>,
    ) -> Result<NewTokenSecret>;
    /// Creates a regulator token if, and only if, the database holds no token at all (decided
    /// under the audit head lock, so two nodes starting together create one between them).
    async fn bootstrap_token(&self, ctx: &WriteCtx) -> Result<Option<NewTokenSecret>>;
    /// The token whose secret hashes to `hash_hex` (revoked ones included: check `revoked_at`).
    async fn token_by_hash(&self, hash_hex: &str) -> Result<Option<ApiToken>>;
    async fn tokens(&self) -> Result<Vec<ApiToken>>;
    /// How many tokens are revoked: a cheap probe that changes whenever any node or the CLI
    /// revokes one, so token caches know when to drop what they hold.
    async fn revoked_token_count(&self) -> Result<i64>;
    async fn revoke_token(&self, ctx: &WriteCtx, id: &str) -> Result<ApiToken>;
    async fn audit_entries(&self) -> Result<Vec<AuditEntry>>;
    /// Recomputes the audit chain and replays it against every stored record; `first_bad`
    /// names the first bad entry, or the first table, row and column that differs.
    async fn verify_audit(&self) -> Result<AuditReport>;
    /// [`Records::verify_audit`], and every signed checkpoint in the log checked with `key`
    /// (which must have signed them; with a key, a log without checkpoints is a fault).
    async fn verify_audit_with_key(
        &self,
        key: Option<&checkpoint::ed25519_dalek::VerifyingKey>,
    ) -> Result<AuditReport>;
    /// Signs the current audit head (seq and hash) with `key` and appends the checkpoint to the
    /// log.
    async fn checkpoint_audit(
        &self,
        ctx: &WriteCtx,
        key: &checkpoint::ed25519_dalek::SigningKey,
    ) -> Result<Checkpoint>;
}
