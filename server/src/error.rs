//! The server crate's one error type; mapped to HTTP responses at the edge
//! (`http::error` for the JSON API, `otlp::http` for OTLP's own status bodies).

/// `Result` with this crate's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The client sent something wrong; the message says what to fix.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// It existed and is no longer available (an expired or revoked share link).
    #[error("{0}")]
    Gone(String),
    /// No credentials, or ones that prove nothing; the message says what to send.
    #[error("{0}")]
    Unauthorized(String),
    /// Credentials that do not allow this (a member managing accounts).
    #[error("{0}")]
    Forbidden(String),
    /// The write queue is full; the client should retry later.
    #[error("Loupe's write queue is full; retry in a moment")]
    Overloaded,
    /// Too much of one kind of work at once (sign-ins): try again shortly.
    #[error("{0}")]
    Busy(String),
    /// The server is shutting down and no longer accepts writes.
    #[error("Loupe is shutting down")]
    ShuttingDown,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A batch could not be committed; the spans were not stored and may be re-sent.
    #[error("storing spans failed: {0}")]
    Storage(String),
}

impl Error {
    /// Errors the caller made (and can fix), as opposed to Loupe's own failures.
    pub fn is_client_error(&self) -> bool {
        matches!(self, Error::BadRequest(_) | Error::NotFound(_) | Error::Gone(_) | Error::Unauthorized(_) | Error::Forbidden(_))
    }

    /// The database cannot be reached (down, restarting, the network cut, every
    /// connection busy), as opposed to a query that failed: worth a retry.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Database(e) => matches!(
                e,
                sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed
            ),
            _ => false,
        }
    }
}

/// A trace id as a client sent it (path, query, tool argument), with the one
/// message every face gives for a malformed one.
pub fn trace_id(s: &str) -> Result<crate::domain::TraceId> {
    crate::domain::TraceId::parse(s).map_err(|e| Error::BadRequest(format!("malformed trace id {s:?}: {e}")))
}

/// A span id as a client sent it, as [`trace_id`].
pub fn span_id(s: &str) -> Result<crate::domain::SpanId> {
    crate::domain::SpanId::parse(s).map_err(|e| Error::BadRequest(format!("malformed span id {s:?}: {e}")))
}

/// The answer for a well-formed trace id that names nothing stored.
pub fn no_trace(id: crate::domain::TraceId) -> Error {
    Error::NotFound(format!("no trace with id {id} is stored"))
}
