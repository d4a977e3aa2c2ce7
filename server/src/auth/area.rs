//! Which part of Loupe a path belongs to, and who may use each part: the
//! policy the HTTP gate ([`crate::http::edge::gate`]) and the gRPC receiver apply.

use crate::error::Error;
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
    } else if path.starts_with("/api/") || path == "/metrics" || path == "/mcp" || path.starts_with("/mcp/") {
        Area::Api
    } else if path.starts_with("/rpc/") {
        Area::Rpc
    } else {
        Area::Page
    }
}

/// Whether `viewer` may use `area`, and what to tell them when not.
pub fn admits(area: Area, viewer: &Viewer) -> Result<(), Error> {
    match (area, viewer) {
        (_, Viewer::Local) | (Area::Open, _) => Ok(()),
        (_, Viewer::User { .. }) => Ok(()),
        (Area::Ingest, Viewer::Key { .. }) | (Area::Api, Viewer::Key { scope: KeyScope::Api, .. }) => Ok(()),
        (Area::Api, Viewer::Key { .. }) => {
            Err(Error::Forbidden("this API key may only send spans; the JSON API needs a key with the api scope".into()))
        }
        (Area::Rpc | Area::Page, Viewer::Key { .. }) => {
            Err(Error::Unauthorized("API keys open the API only; sign in to use the pages".into()))
        }
        (Area::Ingest, _) => Err(Error::Unauthorized(
            "this Loupe requires an API key: send `Authorization: Bearer <key>` or `x-api-key: <key>` \
             (for an SDK: OTEL_EXPORTER_OTLP_HEADERS=x-api-key=<key>). Create keys on the Access page or with `loupe key create NAME`."
                .into(),
        )),
        (Area::Api, _) => Err(Error::Unauthorized("sign in, or send an API key of the api scope as `Authorization: Bearer <key>`".into())),
        (Area::Rpc | Area::Page, _) => Err(Error::Unauthorized("Your session has ended. Reload the page to sign in again.".into())),
    }
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
            ("/mcp", Area::Api),
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
}
