//! Shared plumbing of the records commands (customer, licence, ship, cap, duty, audit): the
//! `--db` option, opening the store on a current-thread runtime, and mapping store errors to the
//! exit codes of INTERFACES.md section 4.

use super::{invalid, refused};
use std::sync::Arc;
use tollgate_store::{SqlStore, StoreError, WriteCtx};

/// `--db URL`: default env `TOLLGATE_DB`, else `sqlite://tollgate.db` in the working directory.
#[derive(clap::Args, Clone, Debug)]
pub struct DbArgs {
    /// Database URL (sqlite://FILE or postgres://...).
    #[arg(
        long,
        global = true,
        env = "TOLLGATE_DB",
        default_value = "sqlite://tollgate.db"
    )]
    pub db: String,
    /// Idempotency key: a retried write with the same key changes nothing.
    #[arg(long, global = true)]
    pub idempotency_key: Option<String>,
    /// JSON output.
    #[arg(long, global = true)]
    pub json: bool,
}

/// A runtime and an open store.
pub struct Session {
    pub rt: tokio::runtime::Runtime,
    pub store: SqlStore,
    pub ctx: WriteCtx,
}

pub fn open(db: &DbArgs) -> anyhow::Result<Session> {
    let reg = Arc::new(super::regulation()?);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let store = rt
        .block_on(SqlStore::connect(&db.db, reg))
        .map_err(store_error)?;
    let actor = std::env::var("TOLLGATE_ACTOR")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "cli".to_string());
    let ctx = WriteCtx::new(actor).with_key(db.idempotency_key.clone());
    Ok(Session { rt, store, ctx })
}

impl Session {
    pub fn run<T>(
        &self,
        f: impl std::future::Future<Output = tollgate_store::Result<T>>,
    ) -> anyhow::Result<T> {
        let r = self.rt.block_on(f).map_err(store_error);
        self.rt.block_on(self.store.close());
        r
    }
}

/// Invalid input is exit 2, a refusal exit 3, anything else exit 1.
pub fn store_error(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid { .. } => invalid(e.to_string()),
        StoreError::Refused(_) => refused(e.to_string()),
        other => anyhow::Error::new(other),
    }
}

/// Parses a USD amount (decimal string); the error names the field.
pub fn usd(s: &str, field: &str) -> anyhow::Result<rust_decimal::Decimal> {
    use std::str::FromStr;
    rust_decimal::Decimal::from_str(s.trim())
        .map_err(|_| invalid(format!("{field}: '{s}' is not a decimal USD amount")))
}

pub fn print_json(v: &impl serde::Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}
