//! [`Error`] → JSON error responses: client errors say what to fix; storage and
//! unexpected errors are logged with context and answered opaquely.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::Error;

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = match &self {
            Error::BadRequest(_) => StatusCode::BAD_REQUEST,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Gone(_) => StatusCode::GONE,
            Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::Overloaded | Error::Busy(_) | Error::ShuttingDown => StatusCode::SERVICE_UNAVAILABLE,
            e if e.is_unavailable() => {
                tracing::error!(error = %e, "request failed: the database is unavailable");
                let body = Json(json!({ "error": "Loupe's database is unavailable; retry shortly" }));
                let mut response = (StatusCode::SERVICE_UNAVAILABLE, body).into_response();
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                return response;
            }
            Error::Database(_) | Error::Migrate(_) | Error::Storage(_) => {
                tracing::error!(error = %self, "request failed");
                let body = Json(json!({ "error": "internal error; see the server log" }));
                return (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
            }
        };
        let mut response = (status, Json(json!({ "error": self.to_string() }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"loupe\""));
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}
