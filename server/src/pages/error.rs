//! [`Error`] → [`PageError`], in one place: client mistakes carry their message
//! to the page; storage failures are logged here and shown without internals.

use app::error::PageError;

use crate::error::Error;

impl From<Error> for PageError {
    fn from(e: Error) -> PageError {
        match e {
            Error::BadRequest(m) => PageError::BadRequest(m),
            Error::NotFound(m) => PageError::NotFound(m),
            Error::Gone(m) => PageError::Gone(m),
            Error::Unauthorized(m) => PageError::Unauthorized(m),
            Error::Forbidden(m) => PageError::Forbidden(m),
            other => {
                tracing::error!(error = %other, "page query failed");
                if other.is_unavailable() {
                    return PageError::Unavailable(
                        "Loupe cannot reach its database right now. Nothing stored is lost; this page works again once the database is back."
                            .into(),
                    );
                }
                PageError::Unavailable("Loupe could not read its database; the server log says why.".into())
            }
        }
    }
}
