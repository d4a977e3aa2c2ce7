//! Extractors that reject with Loupe's own [`Error`] (a JSON `{"error": …}` 400
//! saying what is wrong) instead of axum's plain-text rejections.

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// The query string as `T`.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(Params(v)),
            Err(e) => Err(Error::BadRequest(e.body_text())),
        }
    }
}

/// A JSON request body as `T`.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(e) => Err(Error::BadRequest(e.body_text())),
        }
    }
}

/// A JSON request body as `T`; a 400 naming the field and the expected `shape` otherwise.
pub(super) fn json_body<T: DeserializeOwned>(body: &[u8], shape: &str) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.path().to_string();
        let field = if at == "." { String::new() } else { format!("{at}: ") };
        Error::BadRequest(format!("{field}{}; the body must be {shape}", e.inner()))
    })
}
