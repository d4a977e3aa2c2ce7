//! Retention end to end: traces past their time go with everything that hangs
//! off them (spans, details, tags, share links, the hourly rollups), a service
//! with a rule of its own keeps its time, the size cap deletes the oldest first
//! while exports keep arriving, and the settings page says what is in force.

use crate::common;

use std::time::Duration;

use clap::Parser;
use common::*;
use loupe::synth::{MS, request, s};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const DAY_MS: u64 = 86_400_000;

fn tid(n: u16) -> [u8; 16] {
    let mut t = [0x6e; 16];
    t[14..].copy_from_slice(&n.to_be_bytes());
    t
}

fn hex(t: [u8; 16]) -> String {
    t.iter().map(|b| format!("{b:02x}")).collect()
}

/// `len` hex digits that do not compress, as PostgreSQL would compress a
/// repeated letter to almost nothing.
fn noise(t: &[u8; 16], id: u64, len: usize) -> String {
    let mut rng = loupe::synth::Rng::new(u64::from_be_bytes(t[8..].try_into().unwrap()) ^ id);
    (0..len.div_ceil(16)).map(|_| format!("{:016x}", rng.next_u64())).collect::<String>()[..len].to_string()
}

/// A root and a tool call that started at `start_ms`, with `padding` bytes of attribute.
fn trace(t: [u8; 16], start_ms: u64, padding: usize) -> Vec<Span> {
    let start = start_ms * MS;
    let span = |id: u64, parent: Option<u64>, name: &str| Span {
        trace_id: t.to_vec(),
        span_id: id.to_be_bytes().to_vec(),
        parent_span_id: parent.map(|p| p.to_be_bytes().to_vec()).unwrap_or_default(),
        name: name.into(),
        kind: 1,
        start_time_unix_nano: start,
        end_time_unix_nano: start + 300 * MS,
        attributes: vec![s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", "lookup"), s("note", &noise(&t, id, padding))],
        ..Default::default()
    };
    vec![span(1, None, "handle"), span(2, Some(1), "execute_tool lookup")]
}

fn now_ms() -> u64 {
    loupe::domain::now_ns() as u64 / 1_000_000
}

async fn send(app: &TestApp, service: &str, spans: Vec<Span>) {
    let a = app.post_otlp(request(service, "test", spans).encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
}

async fn retention(app: &TestApp) -> Value {
    let a = app.get("/api/retention").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a.json()
}

/// Waits until retention has deleted at least `n` traces.
async fn until_deleted(app: &TestApp, n: u64) -> Value {
    for _ in 0..200 {
        let v = retention(app).await;
        if v["traces_deleted"].as_u64().unwrap() >= n {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("retention deleted fewer than {n} traces: {}", retention(app).await);
}

#[tokio::test]
async fn old_traces_go_with_everything_of_theirs_and_a_service_keeps_its_own_time() {
    // The first run comes a second after the start, when all of this is stored.
    let app = spawn_app_with(&["--retain", "30d", "--retain-service", "checkout=90d", "--retention-every", "1s"]).await;
    let now = now_ms();
    let (old_api, old_checkout, ancient_checkout, recent_api) = (tid(1), tid(2), tid(3), tid(4));
    send(&app, "api", trace(old_api, now - 40 * DAY_MS, 10)).await;
    send(&app, "checkout", trace(old_checkout, now - 40 * DAY_MS, 10)).await;
    send(&app, "checkout", trace(ancient_checkout, now - 100 * DAY_MS, 10)).await;
    send(&app, "api", trace(recent_api, now - DAY_MS, 10)).await;
    let share = app.send_json(Method::POST, &format!("/api/traces/{}/share", hex(old_api)), &json!({"expires_in": "1h"})).await;
    assert_eq!(share.status, StatusCode::CREATED);
    let token = share.json()["token"].as_str().unwrap().to_string();

    let v = until_deleted(&app, 2).await;
    assert_eq!(v["spans_deleted"], 4, "{v}");
    assert_eq!(v["policy"]["default_ns"], 30 * DAY_MS as i64 * 1_000_000);
    assert_eq!(v["policy"]["per_service"], json!([["checkout", 90 * DAY_MS as i64 * 1_000_000]]));
    for (t, kept) in [(old_api, false), (old_checkout, true), (ancient_checkout, false), (recent_api, true)] {
        let status = app.get(&format!("/api/traces/{}", hex(t))).await.status;
        assert_eq!(status, if kept { StatusCode::OK } else { StatusCode::NOT_FOUND }, "{}", hex(t));
    }
    assert_eq!(app.stats().await, (2, 4), "the totals follow");
    // Its tags went too: the service filter finds only the recent trace.
    let listed = app.get("/api/traces?service=api&since=365d").await.json();
    let ids: Vec<_> = listed["traces"].as_array().unwrap().iter().map(|t| t["trace_id"].clone()).collect();
    assert_eq!(ids, vec![json!(hex(recent_api))]);
    assert_ne!(app.get(&format!("/api/share/{token}")).await.status, StatusCode::OK, "its share link is gone");
    // The hourly rollups of api 40 days ago are gone; checkout's are kept.
    let window = format!("since={}&until={}", now - 45 * DAY_MS, now - 35 * DAY_MS);
    let steps = |service: &str| {
        let path = format!("/api/stats/latency?{window}&service={service}");
        let app = &app;
        async move { app.get(&path).await.json()["rows"].as_array().unwrap().len() }
    };
    assert_eq!(steps("api").await, 0);
    assert!(steps("checkout").await > 0);

    let metrics = app.get("/metrics").await.text();
    assert!(metrics.contains("loupe_retention_deleted_traces_total 2"), "{metrics}");
    let html = app.get("/settings").await.text();
    assert!(html.contains("traces are deleted 30 d after they started"), "{html}");
    assert!(html.contains("data-testid=\"retention-service\""), "{html}");
    assert!(html.contains("In all, retention has deleted 2 traces (4 spans)."), "{html}");
}

#[tokio::test]
async fn the_size_cap_deletes_the_oldest_traces_while_exports_keep_arriving() {
    let cap = 3 * 1024 * 1024;
    let app = spawn_app_with(&["--max-db-size", "3MiB", "--retention-every", "200ms"]).await;
    let base = now_ms() - 10 * DAY_MS;
    // About 8 MB in all: 200 traces of two 20 kB spans, oldest first, while
    // retention runs every 200 ms. Every export is answered 200.
    for n in 0..200u16 {
        send(&app, "api", trace(tid(n), base + n as u64 * 60_000, 20_000)).await;
    }
    let v = until_deleted(&app, 1).await;
    // Let the last run finish, then check what is left.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let v2 = retention(&app).await;
    let used = v2["used_bytes"].as_u64().unwrap();
    assert!(used <= cap, "{used} bytes in use, over the {cap} cap: {v2}");
    let (traces, _) = app.stats().await;
    assert!(traces > 10 && traces < 200, "{traces} traces left: {v}");
    // Oldest first: the newest traces are all there, the first ones are gone.
    assert_eq!(app.get(&format!("/api/traces/{}", hex(tid(199)))).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/traces/{}", hex(tid(0)))).await.status, StatusCode::NOT_FOUND);
    let oldest = v2["oldest_trace_ns"].as_i64().unwrap() / 1_000_000;
    let first_left = (oldest as u64 - base) / 60_000;
    assert_eq!(first_left as u64 + traces, 200, "exactly the oldest were deleted");
    let html = app.get("/settings").await.text();
    assert!(html.contains("data-testid=\"retention-size\""), "{html}");
    let measure = if on_postgres() { "as Loupe counts its span data" } else { "with its free pages" };
    assert!(html.contains(measure), "{html}");
    // The count follows every deletion to the byte: it is the sum over the traces left.
    let store = &app.running().store;
    assert_eq!(v2["measure"], if on_postgres() { "counted" } else { "pages" });
    assert!(store.counted_bytes().await.unwrap() <= cap + 2 * 21_000, "the count is under the cap too, give or take a trace");
}

/// On a fresh database, where nothing was deleted, the real size is all data:
/// Loupe's count, the size cap's measure on PostgreSQL, must come close to it
/// there, and err high on SQLite, whose rows are smaller.
#[tokio::test]
async fn loupes_count_of_its_data_comes_close_to_the_real_size_of_a_fresh_database() {
    let app = spawn_app().await;
    let store = &app.running().store;
    // What the empty tables and indexes take (a few pages each on PostgreSQL).
    let empty = real_size(store).await;
    loupe::demo::run(&app.base, 10_000, None).await.unwrap();
    let base = now_ms() - DAY_MS;
    for n in 0..100u16 {
        send(&app, "api", trace(tid(n), base + n as u64 * 60_000, 4_000)).await;
    }
    let counted = store.counted_bytes().await.unwrap() as f64;
    let real = (real_size(store).await - empty) as f64;
    let (traces, spans) = app.stats().await;
    eprintln!("{traces} traces, {spans} spans: counted {counted}, real {real}, ratio {:.2}", counted / real);
    assert!(spans > 10_000, "{spans}");
    let expected = if on_postgres() { 0.85..=1.15 } else { 1.0..=2.0 };
    assert!(expected.contains(&(counted / real)), "counted {counted} bytes, the database holds {real}");
}

/// SQLite: the pages in use. PostgreSQL: the tables' files, which hold only live
/// rows while nothing has been deleted.
async fn real_size(store: &loupe::store::Store) -> u64 {
    if on_postgres() { store.file_bytes().await.unwrap() } else { store.used_bytes().await.unwrap().0 }
}

#[tokio::test]
async fn a_loupe_without_retention_says_so_and_bad_flags_name_the_rule() {
    let app = spawn_app().await;
    assert_eq!(retention(&app).await["policy"], Value::Null);
    assert!(app.get("/settings").await.text().contains("Retention is off: traces are kept until you delete them."));
    for (flag, value, says) in
        [("--retain", "a while", "like 250ms"), ("--retain-service", "checkout", "SERVICE=DURATION"), ("--max-db-size", "big", "500MiB")]
    {
        let err = loupe::cli::Cli::try_parse_from(["loupe", "serve", flag, value]).unwrap_err().to_string();
        assert!(err.contains(says), "{flag} {value}: {err}");
    }
}

/// A database from before the count: the migration counts its traces by the
/// same rule as ingest does, to the byte.
#[tokio::test]
async fn the_migration_counts_the_traces_stored_before_it_as_ingest_does() {
    let mut app = spawn_app().await;
    loupe::demo::run(&app.base, 10_000, None).await.unwrap();
    for n in 0..20u16 {
        send(&app, "api", trace(tid(n), now_ms() - DAY_MS, 3_000 + n as usize)).await;
    }
    app.stop().await;
    let total = |db: TestDb| async move { db.by_trace("SELECT 'all', bytes FROM totals").await["all"] };
    let counted = total(app.db.clone()).await;
    let each = app.db.by_trace("SELECT trace_id, bytes FROM traces").await;
    assert!(each.len() > 20 && each.values().all(|&b| b > 450), "{each:?}");
    // The demo's log records count too, each by its own row's bytes.
    let logs = app.db.by_trace("SELECT 'all', CAST(COALESCE(SUM(bytes), 0) AS BIGINT) FROM logs").await["all"];
    assert!(logs > 0);
    assert_eq!(counted, each.values().sum::<i64>() + logs);
    // Back to the schema before the migration (and before log records were
    // stored), which then runs again at start.
    app.db.execute("DELETE FROM logs", &[]).await;
    let counted = counted - logs;
    let version = if on_postgres() { 4 } else { 10 };
    app.db.execute("DELETE FROM _sqlx_migrations WHERE version = $1", &[version]).await;
    app.db.execute("ALTER TABLE traces DROP COLUMN bytes", &[]).await;
    app.db.execute("ALTER TABLE totals DROP COLUMN bytes", &[]).await;
    app.restart().await;
    app.stop().await;
    assert_eq!(total(app.db.clone()).await, counted);
    assert_eq!(app.db.by_trace("SELECT trace_id, bytes FROM traces").await, each, "and each trace's own count");
}

/// Four exporters at once while retention runs every 100 ms: no run fails on
/// the writer's lock (on SQLite a deletion that read first used to fail at
/// once with "database is locked"), and every trace sent is either stored or
/// counted as deleted.
#[tokio::test]
async fn retention_under_concurrent_exports_never_fails_and_counts_every_trace() {
    let app = std::sync::Arc::new(spawn_app_with(&["--max-db-size", "2MiB", "--retention-every", "100ms"]).await);
    let base = now_ms() - DAY_MS;
    let mut tasks = Vec::new();
    for client in 0..4u16 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..60u16 {
                let id = client * 1_000 + n;
                send(&app, "api", trace(tid(id), base + id as u64 * 1_000, 8_000)).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let mut settled = Value::Null;
    for _ in 0..100 {
        let v = retention(&app).await;
        let (traces, _) = app.stats().await;
        if v["used_bytes"].as_u64().unwrap() <= 2 * 1024 * 1024 && v["traces_deleted"].as_u64().unwrap() + traces == 240 {
            settled = v;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let metrics = app.get("/metrics").await.text();
    assert!(!metrics.contains("loupe_retention_runs_total{outcome=\"failed\"}"), "{metrics}");
    assert!(metrics.contains("loupe_retention_runs_total{outcome=\"ok\"}"), "{metrics}");
    assert!(
        settled["traces_deleted"].as_u64().unwrap_or(0) > 100,
        "stored + deleted = sent, under the cap: {} {:?}",
        retention(&app).await,
        app.stats().await
    );
}
