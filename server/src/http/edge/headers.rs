//! Security headers on every answer: no MIME sniffing, no framing
//! (clickjacking), a Content-Security-Policy, a referrer policy that keeps
//! share-link tokens from leaking in `Referer`, and HSTS when Loupe is served
//! over https.
//!
//! Pages get their CSP where they are rendered ([`page_csp`], with the nonce
//! Leptos puts on its hydration and resource scripts); anything else that has
//! none gets [`DEFAULT_CSP`].

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// For answers that are not rendered pages: JSON, files, errors. A page
/// without its own policy (the static 404) loads the site's script and styles
/// but runs no inline script.
pub const DEFAULT_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; style-src-attr 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// A rendered page's policy: scripts only from Loupe itself or carrying this
/// response's nonce (Leptos's hydration and streamed resources), WebAssembly
/// compiled from Loupe's own file, style sheets only from Loupe, and inline
/// `style` attributes (the waterfall's bars are positioned with them; they
/// cannot run code).
pub fn page_csp(nonce: &str) -> String {
    let handlers = INLINE_HANDLERS.map(|h| format!("'{h}'")).join(" ");
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval' 'unsafe-hashes' {handlers}; style-src 'self'; style-src-attr 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Called while a page is rendered (the Leptos context): sets the page's CSP
/// with the nonce Leptos made for this response.
pub fn provide_page_csp() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), leptos::prelude::use_context::<leptos_axum::ResponseOptions>()) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_csp(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Five controls work before hydration through inline handlers (the trace
/// page's "Copy link" and "Copy for AI", the copy buttons of share links and new keys, the range
/// select's submit, the import upload: app/src/pages/trace/mod.rs, share.rs,
/// access/keys.rs, components/range_form.rs, import.rs). `'unsafe-hashes'`
/// with their hashes allows those handlers and no other. Change both together:
/// the browser tests fail on a CSP violation, and scripts/csp_hashes.py
/// (run first by scripts/test.sh) prints the hash that is missing.
const INLINE_HANDLERS: [&str; 5] = [
    "sha256-krFa0USehGUYxaRPD0u+ZEvWk+22oVW5vXjdEL/01BQ=", // copy link
    "sha256-UzlcSmbX0yUJT7hkhoYjXfKWsyloSDaNGC7i5v9WcAE=", // range form
    "sha256-GTy8V4NhU5BS3SCqgS4OdUzpWOnl77wccy9TG1Wvnyw=", // copy input
    "sha256-vZLPj2csI3xs11wQlo3qV/VzKEfPmOCRbI5rzNymkcM=", // import upload
    "sha256-5OuGtiy8Nj0YbSxbcE7VKRjkXxd93XY0PnFeLXO/ozk=", // copy for AI
];

/// Whether to send `Strict-Transport-Security` (the public URL is https).
#[derive(Clone, Copy, Debug)]
pub struct SecurityHeaders {
    pub hsts: bool,
}

impl SecurityHeaders {
    pub fn for_public_url(public_url: &str) -> SecurityHeaders {
        SecurityHeaders { hsts: public_url.to_ascii_lowercase().starts_with("https://") }
    }
}

/// Paths whose URL carries a share token: no `Referer` at all from there.
fn carries_token(path: &str) -> bool {
    path.starts_with("/share/") || path.starts_with("/api/share/")
}

pub async fn add(State(s): State<SecurityHeaders>, req: Request, next: Next) -> Response {
    let referrer = if carries_token(req.uri().path()) { "no-referrer" } else { "same-origin" };
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, referrer);
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(h, header::CONTENT_SECURITY_POLICY, DEFAULT_CSP);
    }
    if s.hsts {
        set(h, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_paths_send_no_referrer_and_https_gets_hsts() {
        assert!(carries_token("/share/abc") && carries_token("/api/share/abc"));
        assert!(!carries_token("/shares") && !carries_token("/traces/x"));
        assert!(SecurityHeaders::for_public_url("HTTPS://loupe.example").hsts);
        assert!(!SecurityHeaders::for_public_url("http://127.0.0.1:4318").hsts);
        assert!(page_csp("abc").contains("'nonce-abc'") && page_csp("abc").contains("frame-ancestors 'none'"));
    }
}
