//! Share links: a random token (256 bits) gives read-only access to one trace until
//! it expires or is revoked. Only the token's hash is stored; the token is shown
//! once, when the link is made.

use crate::domain::TraceId;
use crate::error::{Error, Result};
use crate::store::Store;
use app::model::share::{NewShare, ShareLink, ShareState};

use crate::domain::HOUR_NS;

/// `1h`, `24h` or `7d` (the choices the trace page offers) in nanoseconds.
pub fn parse_expiry(s: &str) -> Result<i64> {
    match s.trim() {
        "1h" => Ok(HOUR_NS),
        "24h" => Ok(24 * HOUR_NS),
        "7d" => Ok(7 * 24 * HOUR_NS),
        other => Err(Error::BadRequest(format!("expires_in must be 1h, 24h or 7d, got {other:?}"))),
    }
}

use crate::auth::secret::hash;

/// Makes a link to a stored trace, valid for `expires_in`.
pub async fn create(store: &Store, public_url: &str, id: TraceId, expires_in: &str) -> Result<NewShare> {
    let ttl = parse_expiry(expires_in)?;
    if !store.trace_exists(&id.to_string()).await? {
        return Err(crate::error::no_trace(id));
    }
    let token = crate::auth::secret::new_token("")?;
    let now = crate::domain::now_ns();
    let link = store.insert_share(&hash(&token), &id.to_string(), now, now + ttl).await?;
    tracing::info!(trace_id = %id, share = link.id, expires_ns = link.expires_ns, "share link created");
    Ok(NewShare { url: format!("{}/share/{token}", public_url.trim_end_matches('/')), token, link })
}

/// The trace a token opens: `NotFound` for a token never made, `Gone` once it
/// expired or was revoked.
pub async fn resolve(store: &Store, token: &str) -> Result<ShareLink> {
    // Tokens are hex; anything else was never made (and is not worth a lookup).
    if !crate::auth::secret::well_formed(token, "") {
        return Err(Error::NotFound("no such share link".into()));
    }
    let link = store.share_by_hash(&hash(&token.to_ascii_lowercase()), crate::domain::now_ns()).await?;
    match link {
        None => Err(Error::NotFound("no such share link".into())),
        Some(l) if l.state == ShareState::Revoked => Err(Error::Gone("This share link was revoked. Ask for a new one.".into())),
        Some(l) if l.state == ShareState::Expired => Err(Error::Gone("This share link has expired. Ask for a new one.".into())),
        Some(l) => Ok(l),
    }
}

/// The trace of `token`, checked to be `trace_id` (a token opens its one trace only).
pub async fn check(store: &Store, token: &str, trace_id: &str) -> Result<ShareLink> {
    let link = resolve(store, token).await?;
    if !link.trace_id.eq_ignore_ascii_case(trace_id.trim()) {
        return Err(Error::NotFound("this share link is for another trace".into()));
    }
    Ok(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries_are_the_offered_ones() {
        assert_eq!(parse_expiry("1h").unwrap(), HOUR_NS);
        assert_eq!(parse_expiry("7d").unwrap(), 168 * HOUR_NS);
        assert!(parse_expiry("forever").unwrap_err().to_string().contains("1h, 24h or 7d"));
    }
}
