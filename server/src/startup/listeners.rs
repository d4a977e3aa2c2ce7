//! The two sockets, bound before anything else starts so a taken port fails
//! fast with the flag to change.

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::cli::ServeArgs;

pub(crate) struct Listeners {
    pub http: TcpListener,
    pub addr: SocketAddr,
    pub grpc: Option<TcpListener>,
    pub grpc_addr: Option<SocketAddr>,
}

impl Listeners {
    pub async fn bind(args: &ServeArgs) -> anyhow::Result<Listeners> {
        let http = TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
        let addr = http.local_addr()?;
        let grpc = match args.grpc_addr.0 {
            Some(a) => Some(
                TcpListener::bind(a)
                    .await
                    .with_context(|| format!("cannot listen on {a} for OTLP/gRPC (--grpc-addr; `--grpc-addr off` turns it off)"))?,
            ),
            None => None,
        };
        let grpc_addr = grpc.as_ref().map(|l| l.local_addr()).transpose()?;
        Ok(Listeners { http, addr, grpc, grpc_addr })
    }
}
