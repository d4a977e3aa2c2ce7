//! Crash safety: spans are sent from several exporters while Loupe is killed
//! with SIGKILL (no shutdown, no flush), three times over. After the restarts,
//! every span that got a 200 is stored and the database is intact; spans that
//! got no answer may or may not be there, but never half a request. And SIGTERM
//! under the same load exits cleanly after finishing what it accepted.

use crate::common;

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;

use common::TestDb;

const SPANS_PER_REQUEST: usize = 20;

struct Server {
    child: common::child::Child,
    base: String,
}

impl Server {
    fn kill(&mut self) {
        self.child.kill();
    }
}

async fn start(dir: &Path, db: &TestDb) -> Server {
    let db_args = db.serve_args();
    let mut args = vec!["--grpc-addr", "off", "--data-dir", dir.to_str().unwrap()];
    args.extend(db_args.iter().map(String::as_str));
    let child = common::child::serve(&args, &[("LOUPE_LOG", "error,loupe::startup::banner=info")]);
    let server = Server { base: child.base.clone(), child };
    for _ in 0..200 {
        if reqwest::get(format!("{}/healthz", server.base)).await.is_ok_and(|r| r.status().is_success()) {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("loupe did not come up (after a SIGKILL, it must)");
}

/// One request: a trace of `SPANS_PER_REQUEST` spans under one root.
fn one_trace(rng: &mut Rng) -> (String, Vec<u8>) {
    let end = loupe::domain::now_ns() as u64;
    let mut t = TraceBuilder::new(rng);
    let root = t.span(None, "POST /answer", SpanKind::Server, end - 900 * MS, end, vec![s("gen_ai.operation.name", "invoke_agent")]);
    for i in 0..SPANS_PER_REQUEST as u64 - 1 {
        let at = end - 800 * MS + i * 10 * MS;
        t.span(Some(root), "execute_tool search", SpanKind::Internal, at, at + 5 * MS, vec![s("gen_ai.tool.name", "search")]);
    }
    (t.trace_id_hex(), request("crash-test", "test", t.spans).encode_to_vec())
}

/// Exports until `stop`, recording the traces acknowledged with a 200.
async fn exporter(base: String, seed: u64, acked: Arc<Mutex<Vec<String>>>, stop: Arc<AtomicBool>) {
    let client = common::client_builder().build().unwrap();
    let mut rng = Rng::new(seed);
    while !stop.load(Ordering::Relaxed) {
        let (trace_id, body) = one_trace(&mut rng);
        let sent = client.post(format!("{base}/v1/traces")).header("content-type", "application/x-protobuf").body(body).send().await;
        match sent {
            Ok(r) if r.status() == reqwest::StatusCode::OK => acked.lock().unwrap().push(trace_id),
            // 503 under load, or the server is gone: not acknowledged, so not promised.
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_finishes_what_it_accepted_and_exits() {
    loupe::tls::install();
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::fresh(dir.path()).await;
    let mut server = start(dir.path(), &db).await;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let exporters: Vec<_> = (0..4).map(|i| tokio::spawn(exporter(server.base.clone(), 100 + i, acked.clone(), stop.clone()))).collect();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let term = Command::new("kill").args(["-TERM", &server.child.process.id().to_string()]).status().unwrap();
    assert!(term.success());
    let mut exited = None;
    for _ in 0..300 {
        if let Some(status) = server.child.process.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = exited.expect("exits within 30 s of SIGTERM");
    assert!(status.success(), "a clean exit: {status}");
    stop.store(true, Ordering::Relaxed);
    for e in exporters {
        e.await.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(acked.len() > 10, "too few exports were acknowledged ({}) to prove anything", acked.len());
    let stored = db.span_counts().await;
    let lost = acked.iter().filter(|t| stored.get(*t) != Some(&(SPANS_PER_REQUEST as i64))).count();
    assert_eq!(lost, 0, "of {} acknowledged traces", acked.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_span_survives_sigkill() {
    loupe::tls::install();
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::fresh(dir.path()).await;
    let mut acked_all = Vec::new();
    for round in 0..3u64 {
        let mut server = start(dir.path(), &db).await;
        let acked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let exporters: Vec<_> =
            (0..4).map(|i| tokio::spawn(exporter(server.base.clone(), round * 10 + i, acked.clone(), stop.clone()))).collect();
        // Kill at a different moment each round, mid-stream.
        tokio::time::sleep(Duration::from_millis(700 + round * 350)).await;
        server.kill(); // SIGKILL: no shutdown, no flush
        stop.store(true, Ordering::Relaxed);
        for e in exporters {
            e.await.unwrap();
        }
        let acked = std::mem::take(&mut *acked.lock().unwrap());
        assert!(acked.len() > 10, "round {round}: too few exports were acknowledged ({}) to prove anything", acked.len());
        acked_all.extend(acked);
    }

    // Restarted once more: every acknowledged trace is there, whole.
    let server = start(dir.path(), &db).await;
    let stored = db.span_counts().await;
    let lost: Vec<_> = acked_all.iter().filter(|t| stored.get(*t) != Some(&(SPANS_PER_REQUEST as i64))).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged traces lost or incomplete: {:?}",
        lost.len(),
        acked_all.len(),
        &lost[..lost.len().min(5)]
    );
    assert!(stored.values().all(|&n| n == SPANS_PER_REQUEST as i64), "a request is stored whole or not at all");
    assert!(db.integrity_ok().await, "the database checks out");
    let summary: serde_json::Value = reqwest::get(format!("{}/api/stats/summary", server.base)).await.unwrap().json().await.unwrap();
    assert_eq!(summary["traces"].as_u64().unwrap() as usize, stored.len(), "the server counts what is on disk");
}
