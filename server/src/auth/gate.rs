//! The access gate: one middleware in front of every route decides who is
//! asking ([`Viewer`], put into the request for handlers and server functions)
//! and whether they may, by the area of the path:
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

use super::csrf;
use crate::error::Error;
use crate::state::AppState;
use app::error::PageError;
use app::model::access::{KeyScope, Viewer};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Open,
    Ingest,
    Api,
    Rpc,
    Page,
}

/// Paths anyone may open. The share-link endpoints check the link's token
/// themselves and open one trace only.
const OPEN: [&str; 7] = ["/healthz", "/login", "/logout", "/favicon.svg", "/rpc/me", "/rpc/shared_trace", "/rpc/shared_span"];
const OPEN_UNDER: [&str; 3] = ["/pkg/", "/share/", "/api/share/"];

use crate::http::edge::assets::is_asset;

impl Area {
    pub fn as_str(self) -> &'static str {
        match self {
            Area::Open => "open",
            Area::Ingest => "ingest",
            Area::Api => "api",
            Area::Rpc => "rpc",
            Area::Page => "page",
        }
    }
}

pub fn area(path: &str) -> Area {
    if OPEN.contains(&path) || OPEN_UNDER.iter().any(|p| path.starts_with(p)) {
        Area::Open
    } else if path.starts_with("/v1/") {
        Area::Ingest
    } else if path.starts_with("/api/") || path == "/metrics" {
        Area::Api
    } else if path.starts_with("/rpc/") {
        Area::Rpc
    } else {
        Area::Page
    }
}

/// Whether `viewer` may use `area`, and what to tell them when not.
pub(crate) fn admits(area: Area, viewer: &Viewer) -> Result<(), Error> {
    match (area, viewer) {
        (_, Viewer::Local) | (Area::Open, _) => Ok(()),
        (_, Viewer::User { .. }) => Ok(()),
        (Area::Ingest, Viewer::Key { .. }) | (Area::Api, Viewer::Key { scope: KeyScope::Api, .. }) => Ok(()),
        (Area::Api, Viewer::Key { .. }) => {
            Err(Error::Forbidden("this API key may only send spans; the JSON API needs a key with the api scope".into()))
        }
        (Area::Rpc | Area::Page, Viewer::Key { .. }) => Err(Error::Unauthorized("API keys open the API only; sign in to use the pages".into())),
        (Area::Ingest, _) => Err(Error::Unauthorized(
            "this Loupe requires an API key: send `Authorization: Bearer <key>` or `x-api-key: <key>` \
             (for an SDK: OTEL_EXPORTER_OTLP_HEADERS=x-api-key=<key>). Create keys on the Access page or with `loupe key create NAME`."
                .into(),
        )),
        (Area::Api, _) => Err(Error::Unauthorized("sign in, or send an API key of the api scope as `Authorization: Bearer <key>`".into())),
        (Area::Rpc | Area::Page, _) => Err(Error::Unauthorized("Your session has ended. Reload the page to sign in again.".into())),
    }
}

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
        Area::Ingest => crate::otlp::http::refusal(req.headers(), status, &e.to_string()),
        Area::Api | Area::Open => e.into_response(),
        // Server functions decode errors as their error type.
        Area::Rpc => {
            let page = if status == StatusCode::UNAUTHORIZED { PageError::Unauthorized(e.to_string()) } else { PageError::Forbidden(e.to_string()) };
            let body = serde_json::to_vec(&page).unwrap_or_default();
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
    fn paths_fall_into_areas() {
        for (path, want) in [
            ("/pkg/loupe.js", Area::Open),
            ("/share/abc", Area::Open),
            ("/api/share/abc", Area::Open),
            ("/rpc/shared_span", Area::Open),
            ("/login", Area::Open),
            ("/v1/traces", Area::Ingest),
            ("/api/traces", Area::Api),
            ("/api/shares", Area::Api),
            ("/metrics", Area::Api),
            ("/rpc/span", Area::Rpc),
            ("/rpc/shared_spans", Area::Rpc),
            ("/", Area::Page),
            ("/traces/abc", Area::Page),
            ("/sharex", Area::Page),
        ] {
            assert_eq!(area(path), want, "{path}");
        }
    }

    #[test]
    fn who_may_use_what() {
        let user = Viewer::User { id: 1, name: "ada".into(), admin: false };
        let ingest = Viewer::Key { id: 1, name: "k".into(), scope: KeyScope::Ingest };
        let api = Viewer::Key { id: 2, name: "k".into(), scope: KeyScope::Api };
        for a in [Area::Open, Area::Ingest, Area::Api, Area::Rpc, Area::Page] {
            assert!(admits(a, &Viewer::Local).is_ok());
            assert!(admits(a, &user).is_ok());
        }
        assert!(admits(Area::Ingest, &ingest).is_ok());
        assert!(matches!(admits(Area::Api, &ingest), Err(Error::Forbidden(_))));
        assert!(admits(Area::Api, &api).is_ok());
        assert!(admits(Area::Page, &api).is_err());
        assert!(admits(Area::Open, &Viewer::Anonymous).is_ok());
        for a in [Area::Ingest, Area::Api, Area::Rpc, Area::Page] {
            assert!(matches!(admits(a, &Viewer::Anonymous), Err(Error::Unauthorized(_))), "{a:?}");
        }
    }

    #[test]
    fn the_login_redirect_comes_back() {
        let r = to_login(&"/traces/ab?span=cd".parse().unwrap());
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()[header::LOCATION], "/login?next=%2Ftraces%2Fab%3Fspan%3Dcd");
    }
}
