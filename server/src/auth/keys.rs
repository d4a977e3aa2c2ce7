//! API keys: what exporters send (`Authorization: Bearer <key>` or `x-api-key`),
//! as OTLP exporters pass headers (`OTEL_EXPORTER_OTLP_HEADERS`). Shown once, stored
//! hashed, revocable; revocation takes effect on the next request (every request
//! looks the key up, an indexed read).

use axum::http::{HeaderMap, header};

use super::secret;
use crate::error::{Error, Result};
use crate::store::{NewKey, Store};
use app::model::access::{ApiKey, KeyScope, NewApiKey};

/// Every key starts so, which lets secret scanners and people recognise one.
pub const PREFIX: &str = "loupe_";

/// How stale `last_used` may get before a request updates it (one write per
/// key per minute, not one per export).
const TOUCH_EVERY_NS: i64 = 60_000_000_000;

/// The key a request presents, if any: `Authorization: Bearer <key>`, else `x-api-key`.
pub fn presented(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim);
    bearer.or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()).map(str::trim)).filter(|k| !k.is_empty())
}

fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::BadRequest(
            "name: give the key a name of 1 to 100 characters (what sends with it, e.g. \"checkout-agent prod\")".into(),
        ));
    }
    Ok(name)
}

pub async fn create(store: &Store, name: &str, scope: KeyScope, created_by: Option<&str>) -> Result<NewApiKey> {
    let name = check_name(name)?;
    let key = secret::new_token(PREFIX)?;
    let prefix = &key[..PREFIX.len() + 8];
    let info = store
        .insert_api_key(NewKey { name, prefix, token_hash: &secret::hash(&key), scope, created_by, now: crate::domain::now_ns() })
        .await?;
    tracing::info!(key = info.id, name, scope = scope.as_str(), "API key created");
    Ok(NewApiKey { info, key })
}

pub async fn revoke(store: &Store, id: i64) -> Result<()> {
    if !store.revoke_api_key(id, crate::domain::now_ns()).await? {
        return Err(Error::NotFound(format!("no API key with id {id}")));
    }
    tracing::info!(key = id, "API key revoked");
    Ok(())
}

/// The live key `presented` is; `Unauthorized` naming the problem otherwise.
pub async fn verify(store: &Store, presented: &str) -> Result<ApiKey> {
    let refused = || Error::Unauthorized("the API key is not valid: it was revoked, or never created by this Loupe".into());
    if !secret::well_formed(presented, PREFIX) {
        return Err(Error::Unauthorized(format!("that is not a Loupe API key (they look like {PREFIX}<64 hex characters>)")));
    }
    let key = store.live_api_key(&secret::hash(presented)).await?.ok_or_else(refused)?;
    let now = crate::domain::now_ns();
    if key.last_used_ns.is_none_or(|t| now - t > TOUCH_EVERY_NS) {
        // Off the request's path: a busy writer must not slow ingest down.
        let (store, id) = (store.clone(), key.id);
        tokio::spawn(async move {
            if let Err(e) = store.touch_api_key(id, now).await {
                tracing::warn!(key = id, error = %e, "could not record when an API key was last used");
            }
        });
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn keys_come_from_either_header() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert("x-api-key", HeaderValue::from_static("loupe_b"));
        assert_eq!(presented(&h), Some("loupe_b"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer loupe_a"));
        assert_eq!(presented(&h), Some("loupe_a"), "Authorization wins");
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic dXNlcg=="));
        assert_eq!(presented(&h), Some("loupe_b"), "not a bearer token: the other header");
    }

    #[test]
    fn names_are_required() {
        assert!(check_name("  ").unwrap_err().to_string().starts_with("name:"));
        assert_eq!(check_name(" prod exporter ").unwrap(), "prod exporter");
    }
}
