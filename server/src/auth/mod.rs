//! Identity: who is asking. Access control is off by default (Loupe on
//! 127.0.0.1 is a local tool, and start-up refuses any other address unless
//! `--auth` is on). With it, exporters send API keys ([`keys`]), people sign in
//! ([`accounts`], [`sessions`]), and the HTTP gate in front of every route
//! (`crate::http::edge::gate`) checks both against the [`area`] policy; share
//! links stay open for their one trace.

pub mod accounts;
pub mod area;
pub mod keys;
pub mod password;
pub mod secret;
pub mod sessions;
pub mod throttle;

use axum::http::HeaderMap;

use crate::error::{Error, Result};
use crate::store::Store;
use app::model::access::Viewer;

#[derive(Clone)]
pub struct Auth {
    pub enabled: bool,
    store: Store,
}

impl Auth {
    pub fn new(enabled: bool, store: Store) -> Auth {
        Auth { enabled, store }
    }

    /// Who sends these headers: an API key wins over a session cookie (an exporter
    /// has no cookie; a browser sends no key). `Unauthorized` for a key that is
    /// not valid, rather than carrying on as nobody: the sender should know.
    pub async fn viewer(&self, headers: &HeaderMap) -> Result<Viewer> {
        if !self.enabled {
            return Ok(Viewer::Local);
        }
        if let Some(presented) = keys::presented(headers) {
            let key = keys::verify(&self.store, presented).await?;
            return Ok(Viewer::Key { id: key.id, name: key.name, scope: key.scope });
        }
        if let Some(token) = sessions::token(headers)
            && let Some(a) = sessions::resolve(&self.store, &token).await?
        {
            return Ok(Viewer::User { id: a.id, name: a.name, admin: a.admin });
        }
        Ok(Viewer::Anonymous)
    }
}

/// Managing accounts and API keys is for admins (and everyone when auth is off).
pub fn require_admin(viewer: &Viewer) -> Result<()> {
    match viewer.is_admin() {
        true => Ok(()),
        false => Err(Error::Forbidden("only an admin can manage accounts and API keys".into())),
    }
}
