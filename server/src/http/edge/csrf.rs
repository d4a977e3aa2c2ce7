//! Cross-site request forgery: a request that changes state must come from
//! Loupe's own pages. Browsers say where a request comes from (`Sec-Fetch-Site`,
//! and `Origin` on every POST), and a page cannot forge either; this is the check
//! Go's `net/http.CrossOriginProtection` makes (https://words.filippo.io/csrf/).
//! It needs no token in forms, so it covers the no-JS forms, server functions and
//! the JSON API alike, with authentication on or off (a local Loupe on 127.0.0.1
//! is as reachable from a malicious page in the browser as a remote one).
//!
//! Non-browser clients (exporters, curl, scripts) send neither header and pass:
//! they are not the confused deputy CSRF is about.

use axum::http::{HeaderMap, Method, header};

/// Why the request is refused as cross-site, if it is. `public_url` is Loupe's
/// address as people open it (its origin is accepted too, for a proxy that
/// rewrites `Host`).
pub fn refusal(method: &Method, headers: &HeaderMap, public_url: &str) -> Option<String> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let get = |name| headers.get(name).and_then(|v: &axum::http::HeaderValue| v.to_str().ok());
    if let Some(site) = get("sec-fetch-site") {
        // `none`: typed into the address bar or a bookmark, not from a page.
        return (!matches!(site, "same-origin" | "none"))
            .then(|| format!("refused a {site} {method}: changes must come from Loupe's own pages"));
    }
    let origin = get(header::ORIGIN.as_str())?;
    let host = get(header::HOST.as_str()).unwrap_or("");
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    if origin_host.eq_ignore_ascii_case(host) || origin.eq_ignore_ascii_case(public_url.trim_end_matches('/')) {
        return None;
    }
    Some(format!("refused a {method} from {origin}: changes must come from Loupe's own pages"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    const URL: &str = "https://loupe.example.com";

    #[test]
    fn reads_pass_and_non_browsers_pass() {
        assert_eq!(refusal(&Method::GET, &headers(&[("sec-fetch-site", "cross-site")]), URL), None);
        assert_eq!(refusal(&Method::POST, &headers(&[]), URL), None);
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert_eq!(refusal(&Method::POST, &headers(&[("sec-fetch-site", "same-origin")]), URL), None);
        assert_eq!(refusal(&Method::POST, &headers(&[("sec-fetch-site", "none")]), URL), None);
        for site in ["cross-site", "same-site"] {
            let mut h = headers(&[("origin", "http://127.0.0.1:4318"), ("host", "127.0.0.1:4318")]);
            h.insert("sec-fetch-site", site.parse().unwrap());
            assert!(refusal(&Method::DELETE, &h, URL).unwrap().contains(site));
        }
    }

    #[test]
    fn otherwise_origin_must_match_host_or_the_public_url() {
        let same = headers(&[("origin", "http://127.0.0.1:4318"), ("host", "127.0.0.1:4318")]);
        assert_eq!(refusal(&Method::POST, &same, URL), None);
        let proxied = headers(&[("origin", "https://loupe.example.com"), ("host", "10.0.0.5:4318")]);
        assert_eq!(refusal(&Method::POST, &proxied, URL), None);
        let evil = headers(&[("origin", "https://evil.example"), ("host", "127.0.0.1:4318")]);
        assert!(refusal(&Method::POST, &evil, URL).unwrap().contains("evil.example"));
        let null = headers(&[("origin", "null"), ("host", "127.0.0.1:4318")]);
        assert!(refusal(&Method::PUT, &null, URL).is_some(), "sandboxed frames send Origin: null");
    }
}
