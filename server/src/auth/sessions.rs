//! Sign-in sessions: a random token in an HttpOnly, SameSite=Lax cookie (Secure
//! when Loupe is reached over HTTPS), stored hashed, ending after 7 days or at
//! sign-out. Lax rather than Strict so that a trace link opened from Slack or an
//! alert email arrives signed in; the CSRF check covers what Lax lets through.

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};

use super::secret;
use crate::error::Result;
use crate::store::Store;
use app::model::access::Account;

pub const COOKIE: &str = "loupe_session";
const TTL_NS: i64 = 7 * crate::domain::DAY_NS;

/// Starts a session for `user_id`; the token goes into the cookie.
pub async fn start(store: &Store, user_id: i64) -> Result<String> {
    let token = secret::new_token("")?;
    let now = crate::domain::now_ns();
    store.insert_session(&secret::hash(&token), user_id, now, now + TTL_NS).await?;
    Ok(token)
}

/// The account of a live session.
pub async fn resolve(store: &Store, token: &str) -> Result<Option<Account>> {
    if !secret::well_formed(token, "") {
        return Ok(None);
    }
    store.session_account(&secret::hash(token), crate::domain::now_ns()).await
}

pub async fn end(store: &Store, token: &str) -> Result<()> {
    store.delete_session(&secret::hash(token)).await
}

/// The session token a request carries.
pub fn token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(|c| c.ok())
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_string())
}

/// `Set-Cookie` for a new session (`token`) or, with `None`, one that clears it.
pub fn set_cookie(token: Option<&str>, secure: bool) -> HeaderValue {
    let mut c = Cookie::build((COOKIE, token.unwrap_or("").to_string())).path("/").http_only(true).same_site(SameSite::Lax).secure(secure);
    c = match token {
        Some(_) => c.max_age(cookie::time::Duration::seconds(TTL_NS / 1_000_000_000)),
        None => c.max_age(cookie::time::Duration::ZERO),
    };
    HeaderValue::from_str(&c.build().to_string()).expect("a cookie of hex and ASCII attributes is a valid header")
}

/// Whether the browser reached Loupe over HTTPS: the public URL says so, or the
/// reverse proxy in front does (`X-Forwarded-Proto`).
pub fn over_https(public_url: &str, headers: &HeaderMap) -> bool {
    public_url.starts_with("https://")
        || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_behind_https() {
        let plain = set_cookie(Some("abc"), false).to_str().unwrap().to_string();
        assert!(plain.starts_with("loupe_session=abc"), "{plain}");
        for attr in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
            assert!(plain.contains(attr), "{attr} in {plain}");
        }
        assert!(!plain.contains("Secure"));
        assert!(set_cookie(Some("abc"), true).to_str().unwrap().contains("Secure"));
        assert!(set_cookie(None, false).to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn the_token_is_read_among_other_cookies() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("theme=dark; loupe_session=feed; x=1"));
        assert_eq!(token(&h).as_deref(), Some("feed"));
        let mut https = HeaderMap::new();
        assert!(!over_https("http://127.0.0.1:4318", &https));
        https.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(over_https("http://127.0.0.1:4318", &https));
        assert!(over_https("https://loupe.example.com", &HeaderMap::new()));
    }
}
