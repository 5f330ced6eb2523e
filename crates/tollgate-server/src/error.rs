//! Errors as RFC 9457 problem+json, converted in one place. Each error has a stable code,
//! documented in docs/errors.md, shared with the CLI's messages.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    pub code: String,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub field: Option<String>,
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
        }
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            title: "Not found",
            detail: detail.into(),
            field: None,
        }
    }
    pub fn unauthorized() -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            title: "Unauthorized",
            detail: "send Authorization: Bearer <token>".into(),
            field: Some("Authorization".into()),
        }
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::FORBIDDEN,
            code: "forbidden",
            title: "Forbidden",
            detail: detail.into(),
            field: None,
        }
    }
    pub fn refused(rule: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::CONFLICT,
            code: "refused_by_rule",
            title: "Refused by a rule",
            detail: detail.into(),
            field: Some(rule.into()),
        }
    }
    pub fn internal(detail: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            title: "Internal error",
            detail: detail.into(),
            field: None,
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
    }
}
