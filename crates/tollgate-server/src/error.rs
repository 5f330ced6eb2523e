//! Errors as RFC 9457 problem+json, converted in one place. Each error has a stable code,
//! documented in docs/errors.md, shared with the CLI's messages.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

/// An RFC 9457 problem: every error of the API (codes in docs/errors.md).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the error code (e.g. `/errors/invalid_input`).
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The offending field, when the error is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The stable error code (docs/errors.md), e.g. `invalid_input`, `refused_by_rule`.
    pub code: String,
    /// For a refusal (409): the stable rule id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// For a refusal (409): the rule's numbers (e.g. the cap: shipped, requested, allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refusal: Option<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub field: Option<String>,
    /// The refusal, with its rule and numbers, when a rule said no.
    pub refusal: Option<Box<tollgate_store::Refusal>>,
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        let field = field.into();
        let detail = detail.into();
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_input",
            title: "Invalid input",
            detail: format!("{field}: {detail}"),
            field: Some(field),
            refusal: None,
        }
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            title: "Not found",
            detail: detail.into(),
            field: None,
            refusal: None,
        }
    }
    pub fn unauthorized() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            title: "Unauthorized",
            detail: "send Authorization: Bearer <token>".into(),
            field: Some("Authorization".into()),
            refusal: None,
        }
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            title: "Forbidden",
            detail: detail.into(),
            field: None,
            refusal: None,
        }
    }
    pub fn refused(rule: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            code: "refused_by_rule",
            title: "Refused by a rule",
            detail: detail.into(),
            field: Some(rule.into()),
            refusal: None,
        }
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            title: "Internal error",
            detail: detail.into(),
            field: None,
            refusal: None,
        }
    }
    pub fn problem(&self) -> Problem {
        Problem {
            type_: format!("/errors/{}", self.code),
            title: self.title.into(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            field: self.field.clone(),
            code: self.code.into(),
            rule: self.refusal.as_ref().map(|r| r.rule().to_string()),
            refusal: self
                .refusal
                .as_ref()
                .and_then(|r| serde_json::to_value(r).ok()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut r = (self.status, body).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        // RFC 9110 11.6.1: a 401 names the scheme the client must use (RFC 6750 for bearer).
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tollgate\""),
            );
        }
        r
    }
}

/// Turns axum's own rejections (bad JSON, wrong content type, body too large) into problem+json.
pub fn from_rejection(status: StatusCode, detail: String) -> ApiError {
    let (code, title) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", "Request body too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "Unsupported media type"),
        _ => ("invalid_input", "Invalid input"),
    };
    ApiError {
        status,
        code,
        title,
        detail,
        field: Some("body".into()),
        refusal: None,
    }
}

impl ApiError {
    /// A rule refused the write (409): the detail says why with the numbers, `rule` and
    /// `refusal` carry them as data, and `field` names the rule (or the batch item).
    pub fn from_refusal(r: tollgate_store::Refusal) -> Self {
        let field = match &r {
            tollgate_store::Refusal::InBatch { index, .. } => format!("shipments[{index}]"),
            other => other.rule().to_string(),
        };
        Self {
            field: Some(field),
            refusal: Some(Box::new(r.clone())),
            ..Self::refused(r.rule(), r.to_string())
        }
    }
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "unavailable",
            title: "Service unavailable",
            detail: detail.into(),
            field: None,
            refusal: None,
        }
    }
}

/// Maps a store error once: invalid input 422 naming the field, a refusal 409 with the rule and
/// numbers, a database failure 500 (logged; the client gets no database detail).
impl From<tollgate_store::StoreError> for ApiError {
    fn from(e: tollgate_store::StoreError) -> Self {
        use tollgate_store::StoreError;
        match e {
            StoreError::Invalid { field, message } => ApiError::invalid(field, message),
            StoreError::Refused(r) => ApiError::from_refusal(r),
            StoreError::Unavailable(m) => ApiError::unavailable(m),
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::internal("the records database failed; see the server log")
            }
        }
    }
}
