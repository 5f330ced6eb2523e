//! API tokens and roles. Tokens are random secrets shown once; only their SHA-256 is kept, in the
//! store. Each request looks the hash up in an in-memory cache first; a miss (a token created by
//! the CLI or another node while this one serves) falls back to the database. A revocation by
//! another node or the CLI reaches this node's cache through [`TokenCache::watch_revocations`]
//! (the store's revoked-token count, polled every [`REVOCATION_POLL`]); entries read from the
//! database also expire after [`TOKEN_TTL`], a backstop should the database be unreachable.

use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tollgate_store::{Records, SqlStore};

pub use tollgate_store::hash_token;
/// The token roles (exporter, regulator, auditor), shared with the store.
pub use tollgate_store::TokenRole as Role;

/// How long a token read from the database is trusted without asking it again.
pub const TOKEN_TTL: Duration = Duration::from_secs(30);
/// How often the server asks the store whether any token was revoked elsewhere.
pub const REVOCATION_POLL: Duration = Duration::from_secs(1);
/// Most cached tokens; beyond it the cache is cleared (the database stays the truth).
pub const MAX_CACHED_TOKENS: usize = 100_000;

/// Who is calling: the role and, for exporters, the exporter they act for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub token_id: String,
    pub role: Role,
    pub exporter: Option<String>,
}

impl Principal {
    /// Whether this caller may read records of `exporter`.
    pub fn can_read(&self, exporter: &str) -> bool {
        match self.role {
            Role::Regulator | Role::Auditor => true,
            Role::Exporter => self.exporter.as_deref() == Some(exporter),
        }
    }
    /// Whether this caller may write records of `exporter`.
    pub fn can_write(&self, exporter: &str) -> bool {
        match self.role {
            Role::Regulator => true,
            Role::Auditor => false,
            Role::Exporter => self.exporter.as_deref() == Some(exporter),
        }
    }
    /// The exporter whose records alone this caller sees (`None`: it sees all).
    pub fn scope(&self) -> Option<&str> {
        match self.role {
            Role::Exporter => Some(self.exporter.as_deref().unwrap_or("")),
            Role::Regulator | Role::Auditor => None,
        }
    }
}

#[derive(Debug, Clone)]
struct Cached {
    principal: Principal,
    /// `None`: inserted directly (tests, a server without a store) and never expires.
    expires: Option<Instant>,
}

/// Token hashes -> principals, kept in memory in front of the store.
#[derive(Default, Clone)]
pub struct TokenCache {
    inner: Arc<RwLock<HashMap<String, Cached>>>,
    store: Option<SqlStore>,
    /// The store's revoked-token count at the last poll (-1: not polled yet).
    revoked_seen: Arc<AtomicI64>,
}

impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache")
            .field("with_store", &self.store.is_some())
            .finish()
    }
}

impl TokenCache {
    /// A cache that falls back to `store` on a miss.
    pub fn with_store(store: SqlStore) -> Self {
        Self {
            inner: Default::default(),
            store: Some(store),
            revoked_seen: Arc::new(AtomicI64::new(-1)),
        }
    }
    /// Adds a token that never expires (tests, a server without a database).
    pub fn insert(&self, hash_hex: String, p: Principal) {
        self.put(hash_hex, p, None);
    }
    fn put(&self, hash_hex: String, principal: Principal, expires: Option<Instant>) {
        if let Ok(mut m) = self.inner.write() {
            if m.len() >= MAX_CACHED_TOKENS {
                m.clear();
            }
            m.insert(hash_hex, Cached { principal, expires });
        }
    }
    /// The cached principal of `token`, if cached and fresh (no database access).
    pub fn lookup(&self, token: &str) -> Option<Principal> {
        let h = hash_token(token);
        let now = Instant::now();
        self.inner.read().ok().and_then(|m| {
            m.get(&h)
                .filter(|c| c.expires.map(|e| e > now).unwrap_or(true))
                .map(|c| c.principal.clone())
        })
    }
    /// The principal of `token`: the cache, else the store (a revoked or unknown token is
    /// `None`; so is a database error, which is logged).
    pub async fn resolve(&self, token: &str) -> Option<Principal> {
        if let Some(p) = self.lookup(token) {
            return Some(p);
        }
        let store = self.store.as_ref()?;
        let h = hash_token(token);
        match store.token_by_hash(&h).await {
            Ok(Some(t)) if t.revoked_at.is_none() => {
                let p = Principal {
                    token_id: t.id,
                    role: t.role,
                    exporter: t.exporter,
                };
                self.put(h, p.clone(), Some(Instant::now() + TOKEN_TTL));
                Some(p)
            }
            Ok(_) => {
                self.forget_hash(&h);
                None
            }
            Err(e) => {
                tracing::warn!(error = %e, "token lookup failed");
                None
            }
        }
    }
    /// Drops a token from the cache (after revoking it here).
    pub fn forget_hash(&self, hash_hex: &str) {
        if let Ok(mut m) = self.inner.write() {
            m.remove(hash_hex);
        }
    }
    /// Asks the store once whether the set of revoked tokens changed since the last call and,
    /// if so, drops every entry read from the database (they are read again on next use, and a
    /// revoked one is then refused). Returns whether entries were dropped.
    pub async fn poll_revocations(&self) -> bool {
        let Some(store) = &self.store else {
            return false;
        };
        match store.revoked_token_count().await {
            Ok(n) => {
                if self.revoked_seen.swap(n, Ordering::AcqRel) == n {
                    return false;
                }
                if let Ok(mut m) = self.inner.write() {
                    m.retain(|_, c| c.expires.is_none());
                }
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, "revoked-token poll failed");
                false
            }
        }
    }
    /// Polls for revocations every `every`, for as long as the server runs.
    pub async fn watch_revocations(self, every: Duration) {
        if self.store.is_none() {
            return;
        }
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.poll_revocations().await;
        }
    }
    pub fn is_empty(&self) -> bool {
        self.inner.read().map(|m| m.is_empty()).unwrap_or(true)
    }
}

/// The bearer token of a request, if any.
pub fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
}

/// Middleware: every `/v1` route needs a valid bearer token.
pub async fn require_token(
    State(tokens): State<TokenCache>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = bearer(&req).ok_or_else(ApiError::unauthorized)?.to_string();
    let p = tokens
        .resolve(&token)
        .await
        .ok_or_else(ApiError::unauthorized)?;
    req.extensions_mut().insert(p);
    Ok(next.run(req).await)
}
