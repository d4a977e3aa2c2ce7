//! The Host check. Without sign-in, Loupe trusts a request for coming to
//! loopback; a web page on `http://rebind.attacker.example:4318` whose name
//! is made to resolve to 127.0.0.1 (DNS rebinding) would then be same-origin
//! with Loupe and could read traces and create webhooks. Browsers always send
//! the name they used in `Host`, so answering only to loopback names and the
//! operator's `--public-url` closes that door. With `--auth` a proxy usually
//! owns the name, so the check is on only when `--public-url` says it.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The names Loupe answers to; `None`: any (with `--auth` and no `--public-url`).
#[derive(Clone, Debug)]
pub struct HostCheck {
    public_host: Option<String>,
    public_url: String,
}

impl HostCheck {
    /// `public_url` as given with `--public-url`, if it was.
    pub fn new(auth: bool, public_url: Option<&str>) -> Option<HostCheck> {
        let public_host = public_url.and_then(|u| url::Url::parse(u).ok()).and_then(|u| u.host_str().map(str::to_ascii_lowercase));
        if auth && public_host.is_none() {
            return None;
        }
        Some(HostCheck { public_host, public_url: public_url.unwrap_or("").to_string() })
    }

    /// Whether `authority` (a `Host` value, with or without a port) is one of ours.
    pub fn allows(&self, authority: &str) -> bool {
        let host = host_part(authority).to_ascii_lowercase();
        if host == "localhost" || host.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>() {
            return ip.is_loopback();
        }
        self.public_host.as_deref() == Some(host.as_str())
    }

    fn refusal(&self, host: &str) -> Response {
        let shown = host_part(host);
        let message = if self.public_host.is_some() {
            format!(
                "this Loupe answers to {} and loopback names only, not {shown:?}; if teammates open it as {shown}, set --public-url to that address",
                self.public_url
            )
        } else {
            format!(
                "this Loupe runs without sign-in and answers to localhost and 127.0.0.1 only, not {shown:?} (another name could be a DNS-rebinding page); \
                 to open it as {shown}, start it with --public-url http://{host} (and --auth, for any address but loopback)"
            )
        };
        (StatusCode::MISDIRECTED_REQUEST, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response()
    }
}

/// `example.com:4318` → `example.com`; `[::1]:4318` → `[::1]`.
fn host_part(authority: &str) -> &str {
    let authority = authority.trim();
    if authority.starts_with('[') {
        return authority.split_inclusive(']').next().unwrap_or(authority);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) && !host.contains(':') => host,
        _ => authority,
    }
}

pub async fn check(State(check): State<Option<HostCheck>>, req: Request, next: Next) -> Response {
    let Some(check) = check else { return next.run(req).await };
    // Health probes of orchestrators use the pod's address; the answer is "ok".
    if req.uri().path() == "/healthz" {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.to_string()));
    match host {
        Some(h) if check.allows(&h) => next.run(req).await,
        Some(h) => {
            tracing::warn!(host = %h, "refused a request for another host name");
            check.refusal(&h)
        }
        None => (StatusCode::BAD_REQUEST, "the request has no Host header").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_and_the_public_host_pass() {
        let open = HostCheck::new(false, None).unwrap();
        for ok in ["127.0.0.1:4318", "localhost", "LOCALHOST:80", "[::1]:4318", "127.1.2.3", "app.localhost:4318"] {
            assert!(open.allows(ok), "{ok}");
        }
        for bad in ["rebind.attacker.example:4318", "10.0.0.5:4318", "localhost.attacker.example", "[::2]:80", ""] {
            assert!(!open.allows(bad), "{bad}");
        }
        let public = HostCheck::new(false, Some("https://loupe.example.com")).unwrap();
        assert!(public.allows("Loupe.Example.com:443") && public.allows("127.0.0.1:4318"));
        assert!(!public.allows("evil.example.com"));
    }

    #[test]
    fn with_auth_the_proxy_owns_the_name_unless_public_url_is_set() {
        assert!(HostCheck::new(true, None).is_none());
        assert!(HostCheck::new(true, Some("https://loupe.example.com")).unwrap().allows("loupe.example.com"));
    }
}
