//! Test helpers: a real Loupe on port 0 with a fresh database (a SQLite file, or
//! a PostgreSQL schema: see `db`), and typed calls.
#![allow(dead_code)]

pub mod access;
pub mod alerting;
pub mod child;
pub mod db;
pub mod proxy;

#[allow(unused_imports)]
pub use db::{TestDb, on_postgres};

use std::path::{Path, PathBuf};

use clap::Parser;
use loupe::cli::{Cli, Command};
use reqwest::StatusCode;
use serde_json::Value;

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/otlp");

/// The trace id of a fixture's first span, as lowercase hex.
pub fn fixture_trace_id(name: &str) -> String {
    use prost::Message;
    let bytes = fixture(name);
    if name.ends_with(".json") {
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        return v["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"].as_str().unwrap().to_lowercase();
    }
    let req = opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest::decode(bytes.as_slice()).unwrap();
    req.resource_spans[0].scope_spans[0].spans[0].trace_id.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(FIXTURES).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("fixture {} missing: {e}", path.display()))
}

pub struct TestApp {
    pub base: String,
    pub dir: tempfile::TempDir,
    pub client: reqwest::Client,
    /// The extra `serve` flags it was started with (kept by restarts).
    extra: Vec<String>,
    /// Sent as `x-api-key` with every OTLP export (a Loupe with `--auth`).
    pub api_key: Option<String>,
    /// The database it runs on (kept by restarts).
    pub db: TestDb,
    running: Option<loupe::Running>,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Starts Loupe with extra `serve` flags.
pub async fn spawn_app_with(extra: &[&str]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = TestDb::fresh(dir.path()).await;
    spawn_app_on(dir, db, extra).await
}

/// Starts Loupe in `dir` on the database `db`, with extra `serve` flags.
/// Webhooks may reach 127.0.0.1 (where the tests' receivers listen) unless
/// `extra` gives its own `--webhook-allow`.
pub async fn spawn_app_on(dir: tempfile::TempDir, db: TestDb, extra: &[&str]) -> TestApp {
    let mut extra = extra.to_vec();
    if !extra.contains(&"--webhook-allow") {
        extra.extend(["--webhook-allow", "127.0.0.1"]);
    }
    let extra = extra.as_slice();
    let data = dir.path().to_str().unwrap().to_string();
    let db_args = db.serve_args();
    let mut argv = vec!["loupe", "serve", "--addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0", "--data-dir", &data];
    argv.extend(db_args.iter().map(String::as_str));
    argv.extend_from_slice(extra);
    let Command::Serve(args) = Cli::parse_from(argv).command else { unreachable!() };
    let running = loupe::start(&args).await.expect("server starts");
    let extra = extra.iter().map(|s| s.to_string()).collect();
    TestApp {
        base: format!("http://{}", running.addr),
        dir,
        client: client_builder().build().unwrap(),
        extra,
        api_key: None,
        db,
        running: Some(running),
    }
}

/// The HTTP client tests use: a request that gets no answer within a minute
/// fails its test with the URL, rather than hanging the suite.
pub fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().timeout(std::time::Duration::from_secs(60))
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

impl TestApp {
    pub async fn post_otlp(&self, body: Vec<u8>, content_type: &str, encoding: Option<&str>) -> Answer {
        let mut req = self.client.post(format!("{}/v1/traces", self.base)).header("content-type", content_type).body(body);
        if let Some(enc) = encoding {
            req = req.header("content-encoding", enc);
        }
        if let Some(key) = &self.api_key {
            req = req.header("x-api-key", key);
        }
        answer(req.send().await.expect("request sent")).await
    }

    /// An OTLP/HTTP logs export to `/v1/logs`.
    pub async fn post_logs(&self, body: Vec<u8>, content_type: &str, encoding: Option<&str>) -> Answer {
        let mut req = self.client.post(format!("{}/v1/logs", self.base)).header("content-type", content_type).body(body);
        if let Some(enc) = encoding {
            req = req.header("content-encoding", enc);
        }
        if let Some(key) = &self.api_key {
            req = req.header("x-api-key", key);
        }
        answer(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        answer(self.client.get(format!("{}{path}", self.base)).send().await.expect("request sent")).await
    }

    /// A request with a JSON body (any method).
    pub async fn send_json(&self, method: reqwest::Method, path: &str, body: &Value) -> Answer {
        answer(self.client.request(method, format!("{}{path}", self.base)).json(body).send().await.expect("request sent")).await
    }

    pub async fn get_trace(&self, trace_id: &str) -> Value {
        let a = self.get(&format!("/api/traces/{trace_id}")).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        a.json()
    }

    pub async fn stats(&self) -> (u64, u64) {
        let s = self.get("/api/stats/summary").await.json();
        (s["traces"].as_u64().unwrap(), s["spans"].as_u64().unwrap())
    }

    /// Every file of the data directory (database, WAL, key) read as bytes.
    pub async fn data_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        self.db.stored_bytes(self.dir.path()).await.into_iter().map(|(p, b)| (PathBuf::from(p), b)).collect()
    }

    /// Starts Loupe again on the same data directory (after [`TestApp::stop`]).
    pub async fn restart(&mut self) {
        let data = self.dir.path().to_str().unwrap().to_string();
        let db_args = self.db.serve_args();
        let mut argv = vec!["loupe", "serve", "--addr", "127.0.0.1:0", "--grpc-addr", "127.0.0.1:0", "--data-dir", &data];
        argv.extend(db_args.iter().map(String::as_str));
        argv.extend(self.extra.iter().map(String::as_str));
        let Command::Serve(args) = Cli::parse_from(argv).command else { unreachable!() };
        let running = loupe::start(&args).await.expect("server restarts");
        self.base = format!("http://{}", running.addr);
        self.running = Some(running);
    }

    /// Changes the extra `serve` flags used by the next [`TestApp::restart`].
    pub fn set_extra(&mut self, extra: &[&str]) {
        self.extra = extra.iter().map(|s| s.to_string()).collect();
    }

    /// Moves every share link's expiry into the past in the database itself, as
    /// time would (the server is stopped for it and started again).
    pub async fn expire_share_links(&mut self) {
        self.stop().await;
        self.db.execute("UPDATE share_links SET expires_ns = $1", &[loupe::domain::now_ns() - 1]).await;
        self.restart().await;
    }

    pub fn running(&self) -> &loupe::Running {
        self.running.as_ref().expect("the server is running")
    }

    /// Stops the server (committing everything) but keeps the data directory.
    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await.expect("clean shutdown");
        }
    }
}

pub async fn answer(r: reqwest::Response) -> Answer {
    let status = r.status();
    let headers = r.headers().clone();
    let body = r.bytes().await.expect("body").to_vec();
    Answer { status, headers, body }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A form body as browsers post it (`application/x-www-form-urlencoded`).
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut u = reqwest::Url::parse("http://form/").unwrap();
    u.query_pairs_mut().extend_pairs(pairs);
    u.query().unwrap_or_default().to_string()
}

/// `.form()` without reqwest's `form` feature (which would build reqwest twice).
pub trait FormPairs {
    fn form_pairs(self, pairs: &[(&str, &str)]) -> Self;
}

impl FormPairs for reqwest::RequestBuilder {
    fn form_pairs(self, pairs: &[(&str, &str)]) -> Self {
        self.header("content-type", "application/x-www-form-urlencoded").body(form_body(pairs))
    }
}
