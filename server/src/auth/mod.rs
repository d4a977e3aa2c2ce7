//! Access control. Off by default: Loupe on 127.0.0.1 is a local tool, and
//! [`crate::start`] refuses any other address unless `--auth` is on. With it,
//! exporters send API keys ([`keys`]), people sign in ([`accounts`],
//! [`sessions`]), and the [`gate`] in front of every route checks both; share
//! links stay open for their one trace.

pub mod accounts;
pub mod cli;
pub mod csrf;
pub mod gate;
pub mod keys;
pub mod pages;
pub mod password;
pub mod secret;
pub mod sessions;
pub mod throttle;

use axum::http::HeaderMap;

use crate::cli::ServeArgs;
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

/// Anything but loopback is reachable by others: without sign-in they would
/// read every trace and send spans, so Loupe will not start that way.
pub fn refuse_open_bind(args: &ServeArgs) -> anyhow::Result<()> {
    if let Some(grpc) = args.grpc_addr.0
        && !args.auth
        && !grpc.ip().is_loopback()
    {
        anyhow::bail!(
            "refusing to take OTLP/gRPC on {grpc} without authentication: anyone who can reach it could send spans.\n  \
             Keep it on loopback (the default, --grpc-addr 127.0.0.1:{port}), turn it off (--grpc-addr off), or turn sign-in on \
             (--auth, with `loupe user add NAME --admin`) and give exporters an API key (`loupe key create NAME`).",
            port = grpc.port()
        );
    }
    if args.auth || args.addr.ip().is_loopback() {
        return Ok(());
    }
    anyhow::bail!(
        "refusing to listen on {addr} without authentication: anyone who can reach it could read every trace and send spans.\n  \
         Either listen on loopback only (the default, --addr 127.0.0.1:{port}), or turn sign-in on:\n    \
         loupe user add NAME --admin          (or LOUPE_ADMIN_USER and LOUPE_ADMIN_PASSWORD on the first start)\n    \
         loupe serve --auth --addr {addr}\n  \
         and give exporters an API key (`loupe key create NAME`, sent as x-api-key or Authorization: Bearer).",
        addr = args.addr,
        port = args.addr.port()
    )
}

/// The start-up line saying who can use this Loupe.
pub async fn log_startup(args: &ServeArgs, store: &Store) -> anyhow::Result<()> {
    let accounts = store.account_count().await?;
    let keys = store.api_keys().await?.iter().filter(|k| k.revoked_ns.is_none()).count();
    if args.auth {
        tracing::info!("  access:           sign-in required ({accounts} accounts); ingest needs an API key ({keys} active; `loupe key create NAME`)");
    } else if accounts > 0 {
        tracing::warn!("  access:           open: {accounts} accounts exist but --auth is off, so nobody signs in; anyone who can reach {} uses Loupe", args.addr);
    } else {
        tracing::info!("  access:           open to this machine (loopback, no sign-in; --auth to require it)");
    }
    Ok(())
}
