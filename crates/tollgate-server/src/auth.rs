//! API tokens and roles. Tokens are random secrets shown once; only their SHA-256 is kept, and the
//! lookup on each request is an in-memory hash-map hit (no database round trip).

use crate::error::ApiError;
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Sees and writes only its own exporter's records.
    Exporter,
    /// Approves customers and licences, sees all.
    Regulator,
    /// Read-only, all.
    Auditor,
}

impl Role {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "exporter" => Some(Role::Exporter),
            "regulator" => Some(Role::Regulator),
            "auditor" => Some(Role::Auditor),
            _ => None,
        }
    }
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Exporter => "exporter",
            Role::Regulator => "regulator",
            Role::Auditor => "auditor",
        }
    }
}

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
}

/// Token hashes -> principals, kept in memory; the store persists them.
#[derive(Debug, Default, Clone)]
pub struct TokenCache {
    inner: Arc<RwLock<HashMap<String, Principal>>>,
}

impl TokenCache {
    pub fn insert(&self, hash_hex: String, p: Principal) {
        if let Ok(mut m) = self.inner.write() {
            m.insert(hash_hex, p);
        }
    }
    pub fn lookup(&self, token: &str) -> Option<Principal> {
        let h = hash_token(token);
        self.inner.read().ok().and_then(|m| m.get(&h).cloned())
    }
    pub fn is_empty(&self) -> bool {
        self.inner.read().map(|m| m.is_empty()).unwrap_or(true)
    }
}

/// Hex SHA-256 of a token.
pub fn hash_token(token: &str) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(token.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Middleware: every `/v1` route needs a valid bearer token.
pub async fn require_token(
    State(tokens): State<TokenCache>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(ApiError::unauthorized)?;
    let p = tokens.lookup(token).ok_or_else(ApiError::unauthorized)?;
    req.extensions_mut().insert(p);
    Ok(next.run(req).await)
}
