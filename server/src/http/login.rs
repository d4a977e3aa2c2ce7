//! `POST /login` (the sign-in form: `name`, `password`, `next`) and `POST /logout`.
//! Both answer 303, so the browser lands on a page whether or not JS runs.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use crate::auth::{accounts, sessions};
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

/// Where to go after signing in: a path of this Loupe only (`//host` and
/// `/\host` are other sites to a browser, so they go home instead).
pub fn local_path(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.starts_with("/login")
        && !next.chars().any(char::is_control);
    if ok { next } else { "/" }
}

fn see_other(to: &str, cookie: Option<HeaderValue>) -> Response {
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
    if let Some(c) = cookie {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

async fn login(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<LoginForm>) -> Result<Response> {
    let next = local_path(&form.next);
    if !state.auth.enabled {
        return Ok(see_other(next, None));
    }
    let Some(account) = accounts::sign_in(&state.store, &form.name, &form.password).await? else {
        tracing::warn!(account = form.name.trim(), "sign-in refused: wrong name or password");
        let back: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        return Ok(see_other(&format!("/login?failed=1&next={back}"), None));
    };
    let token = sessions::start(&state.store, account.id).await?;
    tracing::info!(account = %account.name, "signed in");
    let secure = sessions::over_https(&state.public_url, &headers);
    Ok(see_other(next, Some(sessions::set_cookie(Some(&token), secure))))
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
        for other in ["https://evil.example/", "//evil.example", "/\\evil.example", "", "traces", "/login?next=/", "/a\r\nSet-Cookie: x=1"] {
            assert_eq!(local_path(other), "/", "{other}");
        }
    }
}
