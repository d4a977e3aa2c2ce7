//! [`Running`]: a Loupe that serves until it is told to stop, then stops in
//! order (requests finish, queued spans are committed, tasks end).

use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::listeners::Listeners;
use super::tasks::Tasks;
use crate::state::AppState;
use crate::store::Store;

/// A server that is listening; stop it with [`Running::shutdown`].
pub struct Running {
    pub addr: SocketAddr,
    /// Where OTLP/gRPC listens (`None`: `--grpc-addr off`).
    pub grpc_addr: Option<SocketAddr>,
    pub store: Store,
    /// Whether it runs with `--auth`.
    pub auth_enabled: bool,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Serves `app` on the HTTP listener and OTLP/gRPC on its own, until stopped;
    /// then stops `tasks` in their order.
    pub(crate) fn serve(listeners: Listeners, app: Router, state: AppState, tasks: Tasks) -> Running {
        let Listeners { http, addr, grpc, grpc_addr } = listeners;
        let (store, auth_enabled) = (state.store.clone(), state.auth.enabled);
        let (stop, stopped) = oneshot::channel::<()>();
        // One stop for both transports (also when `Running` is dropped unstopped).
        let (halt, halted) = watch::channel(false);
        tokio::spawn(async move {
            let _ = stopped.await;
            let _ = halt.send(true);
        });
        let on_halt = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let grpc_task = grpc.map(|l| tokio::spawn(crate::grpc::serve(l, state, on_halt(halted.clone()))));
        let task = tokio::spawn(async move {
            // The peer's address is the client's for sign-in throttling.
            axum::serve(http, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(on_halt(halted))
                .await
                .context("server failed")?;
            if let Some(t) = grpc_task {
                t.await.context("OTLP/gRPC task panicked")?.context("OTLP/gRPC server failed")?;
            }
            tasks.stop().await
        });
        Running { addr, grpc_addr, store, auth_enabled, stop, task }
    }

    /// Stops accepting requests, lets in-flight ones finish, commits queued spans.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await.context("server task panicked")?
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down as [`Running::shutdown`] does.
    pub async fn until_signal(self) -> anyhow::Result<()> {
        let Running { stop, mut task, .. } = self;
        tokio::select! {
            joined = &mut task => return joined.context("server task panicked")?,
            _ = shutdown_signal() => {}
        }
        tracing::info!("shutting down: finishing requests and committing queued spans");
        let _ = stop.send(());
        task.await.context("server task panicked")?
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
