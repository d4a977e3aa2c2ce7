//! What is checked before anything listens: that an open address has sign-in in
//! front of it, and that the public URL links are built on is a URL.

use std::net::SocketAddr;

use anyhow::Context;

use crate::cli::ServeArgs;

/// Anything but loopback is reachable by others: without sign-in they would
/// read every trace and send spans, so Loupe will not start that way.
pub(crate) fn refuse_open_bind(args: &ServeArgs) -> anyhow::Result<()> {
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

/// The base of links in notifications: `--public-url`, else this server's address.
pub(crate) fn public_url(args: &ServeArgs, addr: SocketAddr) -> anyhow::Result<String> {
    match &args.public_url {
        Some(url) => {
            let parsed = reqwest::Url::parse(url).with_context(|| format!("--public-url {url:?} is not a URL"))?;
            anyhow::ensure!(matches!(parsed.scheme(), "http" | "https"), "--public-url {url:?} must start with http:// or https://");
            Ok(url.trim_end_matches('/').to_string())
        }
        None if addr.ip().is_unspecified() => Ok(format!("http://127.0.0.1:{}", addr.port())),
        None => Ok(format!("http://{addr}")),
    }
}
