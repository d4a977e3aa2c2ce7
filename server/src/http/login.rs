//! `POST /login` (the sign-in form: `name`, `password`, `next`) and `POST /logout`.
//! Both answer 303, so the browser lands on a page whether or not JS runs.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use std::net::SocketAddr;

use axum::extract::ConnectInfo;

use crate::auth::{accounts, sessions, throttle};
use crate::error::Result;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/login", post(login)).route("/logout", post(logout))
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub use app::pages::login::local_path;

fn see_other(to: &str, cookie: Option<HeaderValue>) -> Response {
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
    if let Some(c) = cookie {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response> {
    let next = local_path(&form.next);
    if !state.auth.enabled {
        return Ok(see_other(next, None));
    }
    let client = throttle::client_addr(peer.ip(), &headers, &state.trusted_proxies);
    if let Err(wait) = state.throttle.begin(client, &form.name) {
        state.metrics.login_throttled();
        tracing::warn!(account = form.name.trim(), %client, wait_s = wait.as_secs_f64().ceil(), "sign-in throttled");
        return Ok(too_many(wait, next));
    }
    let Some(account) = accounts::sign_in(&state.store, &form.name, &form.password).await? else {
        tracing::warn!(account = form.name.trim(), "sign-in refused: wrong name or password");
        let back: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        return Ok(see_other(&format!("/login?failed=1&next={back}"), None));
    };
    state.throttle.succeeded(client, &form.name);
    let token = sessions::start(&state.store, account.id).await?;
    tracing::info!(account = %account.name, "signed in");
    let secure = sessions::over_https(&state.public_url, &headers);
    Ok(see_other(next, Some(sessions::set_cookie(Some(&token), secure))))
}

/// 429 with `Retry-After`, as a page a person can read (the form posts here).
fn too_many(wait: std::time::Duration, next: &str) -> Response {
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    let back: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many sign-in attempts · Loupe</title>\
         <link rel=\"stylesheet\" href=\"/pkg/loupe.css\"></head><body><main class=\"login-page\"><div class=\"card login-card\">\
         <h1>Too many sign-in attempts</h1><p>Too many wrong passwords were tried from here or for this account. \
         Try again in {secs} second{s}.</p><p><a href=\"/login?next={back}\">Back to sign-in</a></p></div></main></body></html>",
        s = if secs == 1 { "" } else { "s" }
    );
    let mut r = (StatusCode::TOO_MANY_REQUESTS, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    r
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    if let Some(token) = sessions::token(&headers) {
        sessions::end(&state.store, &token).await?;
    }
    let secure = sessions::over_https(&state.public_url, &headers);
    Ok(see_other("/login", Some(sessions::set_cookie(None, secure))))
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/traces/ab?span=cd"), "/traces/ab?span=cd");
        for other in ["https://evil.example/", "//evil.example", "/\\evil.example", "", "traces", "/login?next=/", "/a\r\nSet-Cookie: x=1"]
        {
            assert_eq!(local_path(other), "/", "{other}");
        }
    }
}
