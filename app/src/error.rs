//! What can go wrong behind a page, as the page needs to tell it.

use serde::{Deserialize, Serialize};

/// A page's data failed to load. Server functions return it as their error type,
/// so the page can tell "no such trace" (404) from "not a trace id" (400) from
/// "the database is unavailable".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageError {
    NotFound(String),
    BadRequest(String),
    /// It existed and is no longer available (an expired or revoked share link).
    Gone(String),
    /// Sign-in needed (a session that ended, on a page already open).
    Unauthorized(String),
    /// Signed in, but not allowed (managing accounts needs an admin).
    Forbidden(String),
    Unavailable(String),
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::NotFound(m)
            | PageError::BadRequest(m)
            | PageError::Gone(m)
            | PageError::Unauthorized(m)
            | PageError::Forbidden(m)
            | PageError::Unavailable(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for PageError {}

impl leptos::server_fn::error::FromServerFnError for PageError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(e: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        PageError::Unavailable(format!("Loupe could not be reached: {e}"))
    }
}

impl PageError {
    /// The HTTP status of a server-rendered page showing this error.
    pub fn status(&self) -> u16 {
        match self {
            PageError::NotFound(_) => 404,
            PageError::BadRequest(_) => 400,
            PageError::Gone(_) => 410,
            PageError::Unauthorized(_) => 401,
            PageError::Forbidden(_) => 403,
            PageError::Unavailable(_) => 503,
        }
    }

    /// A server function's result, with a refused request answered by its own
    /// status (400, 404, 410) rather than the server-function default, 500.
    pub fn answer<T>(r: Result<T, PageError>) -> Result<T, PageError> {
        if let Err(e) = &r {
            e.set_response_status();
        }
        r
    }

    /// Sets the status of the server-rendered response (no-op in the browser).
    pub fn set_response_status(&self) {
        #[cfg(feature = "ssr")]
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(http::StatusCode::from_u16(self.status()).expect("valid status"));
        }
    }
}
