//! The access gate: one middleware in front of every route decides who is
//! asking ([`Viewer`], put into the request for handlers and server functions)
//! and whether they may, by the area of the path ([`crate::auth::area`]):
//!
//! | area | without auth | with `--auth` |
//! |---|---|---|
//! | open: assets, `/healthz`, `/login`, share-link pages and their two server functions | anyone | anyone |
//! | ingest: `/v1/*` (OTLP) | anyone | an API key (any scope) or a session |
//! | API: `/api/*` | anyone | a session or an `api`-scope key |
//! | pages and server functions | anyone | a session (pages redirect to `/login`) |
//!
//! Before that, every state-changing request passes the CSRF check, with or
//! without auth.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::assets::is_asset;
use super::csrf;
use crate::auth::area::{Area, admits, area};
use crate::error::Error;
use crate::state::AppState;
use app::error::PageError;
use app::model::access::Viewer;

pub async fn gate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let area = area(req.uri().path());
    if let Some(why) = csrf::refusal(req.method(), req.headers(), &state.public_url) {
        tracing::warn!(path = %crate::telemetry::loggable_path(req.uri().path()), %why, "cross-site request refused");
        return refused(&state, area, &req, Error::Forbidden(why));
    }
    if is_asset(req.uri().path()) {
        // The UI's files: the same for everyone, so no session lookup per file.
        return next.run(req).await;
    }
    // Loupe's own spans, exported to itself with --self-trace, carry this
    // process's token instead of an API key; they may only be ingested.
    if area == Area::Ingest && state.self_trace.as_ref().is_some_and(|s| s.is_own_export(req.headers())) {
        return next.run(req).await;
    }
    let viewer = match state.auth.viewer(req.headers()).await {
        Ok(v) => v,
        // A bad key on an open page is no reason to refuse it.
        Err(Error::Unauthorized(_)) if area == Area::Open => Viewer::Anonymous,
        Err(e) => return refused(&state, area, &req, e),
    };
    if let Err(e) = admits(area, &viewer) {
        return refused(&state, area, &req, e);
    }
    req.extensions_mut().insert(viewer);
    next.run(req).await
}

/// Refuses, counting refused exports in the OTLP metrics.
fn refused(state: &AppState, area: Area, req: &Request, e: Error) -> Response {
    let response = refuse(area, req, e);
    if area == Area::Ingest {
        state.metrics.export(response.status().as_u16(), 0, 0, 0, "");
    }
    response
}

/// The refusal in the shape the area's clients read.
fn refuse(area: Area, req: &Request, e: Error) -> Response {
    let status = match &e {
        Error::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        _ => return e.into_response(),
    };
    match area {
        Area::Ingest => crate::http::otlp::refusal(req.headers(), status, &e.to_string()),
        Area::Api | Area::Open => e.into_response(),
        // Server functions decode errors as their error type.
        Area::Rpc => {
            let body = serde_json::to_vec(&PageError::from(e)).unwrap_or_default();
            (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Area::Page if status == StatusCode::UNAUTHORIZED && matches!(*req.method(), axum::http::Method::GET | axum::http::Method::HEAD) => {
            to_login(req.uri())
        }
        Area::Page => (status, e.to_string()).into_response(),
    }
}

/// 303 to the sign-in page, which comes back to `uri` afterwards.
fn to_login(uri: &Uri) -> Response {
    let back = uri.path_and_query().map_or("/", |p| p.as_str());
    let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, format!("/login?next={next}"))
        .body(Body::empty())
        .expect("a redirect with an encoded location")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_redirect_comes_back() {
        let r = to_login(&"/traces/ab?span=cd".parse().unwrap());
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()[header::LOCATION], "/login?next=%2Ftraces%2Fab%3Fspan%3Dcd");
    }
}
