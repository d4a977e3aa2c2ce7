//! Loupe where others can reach it: webhooks kept out of the internal network,
//! the Host check, sign-in throttling, security headers, secrets kept out of
//! logs and spans, and the small holes (`next=`, times, `/pkg/`, shares).

use crate::common;

use std::time::Duration;

use common::access::{ADMIN, ADMIN_PASSWORD, spawn_auth_app};
use common::alerting::{create_rule, receiver, send_tool_call, settled_events, slow_tools};
use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Internal, Server};
use prost::Message;
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server with no internal webhook receivers allowed (192.0.2.1 is a
/// documentation address, not loopback).
async fn guarded() -> TestApp {
    spawn_app_with(&["--webhook-allow", "192.0.2.1"]).await
}

#[tokio::test]
async fn webhooks_into_the_network_are_refused_at_save() {
    let app = guarded().await;
    for url in [
        "http://127.0.0.1:2375/containers",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/hook",
        "http://[::1]:9/x",
        "http://localhost:9/hook",
    ] {
        let a = app.send_json(Method::POST, "/api/alerts/rules", &slow_tools(url, 0)).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{url}: {}", a.text());
        let message = a.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(message.contains("channels[0].url") && message.contains("--webhook-allow"), "{url}: {message}");
    }
    // Public hosts and Slack keep working (they need not resolve here).
    create_rule(&app, slow_tools("https://hooks.slack.com/services/T0/B0/x", 0)).await;
    create_rule(&app, slow_tools("http://203.0.113.7/hook", 0)).await;
}

#[tokio::test]
async fn delivery_checks_the_address_connected_to_and_does_not_follow_redirects() {
    let hook = receiver(0).await;
    let port = hook.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_string();
    // Allowed when saved: by address, and by a name that resolves to loopback.
    let mut app = spawn_app_with(&["--webhook-allow", "127.0.0.1,localhost"]).await;
    create_rule(&app, slow_tools(&hook.url, 0)).await;
    create_rule(&app, slow_tools(&format!("http://localhost:{port}/hook"), 0)).await;
    // The operator takes the allowance back; the rules stay stored.
    app.stop().await;
    app.set_extra(&["--webhook-allow", "192.0.2.1"]);
    app.restart().await;
    let mut rng = Rng::new(3);
    send_tool_call(&app, &mut rng, 2_500, false).await;
    let mut events = settled_events(&app).await;
    for _ in 0..50 {
        if events.len() == 2 && events.iter().all(|e| e["delivery"] != "pending") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        events = settled_events(&app).await;
    }
    assert_eq!(events.len(), 2, "{events:?}");
    let mut errors = Vec::new();
    for e in &events {
        let attempts = e["attempts"].as_array().unwrap();
        assert_eq!(attempts.len(), 1, "a refused address is not retried: {e}");
        assert_eq!((e["delivery"].as_str(), attempts[0]["outcome"].as_str()), (Some("failed"), Some("failed")));
        errors.push(attempts[0]["error"].as_str().unwrap_or_default().to_string());
    }
    assert!(errors.iter().any(|e| e.starts_with("refused: 127.0.0.1 is a loopback address")), "{errors:?}");
    assert!(errors.iter().any(|e| e.starts_with("refused: localhost resolves to 127.0.0.1, a loopback address")), "{errors:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(hook.bodies().is_empty(), "nothing reached the receiver");

    // A public-looking receiver answering with a redirect inside: not followed.
    let inside = receiver(0).await;
    let location = inside.url.clone();
    let redirecting = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            let location = location.clone();
            async move { (axum::http::StatusCode::FOUND, [("location", location)], "") }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, redirecting).await.unwrap() });
    let app = spawn_app().await;
    create_rule(&app, slow_tools(&url, 0)).await;
    send_tool_call(&app, &mut rng, 2_500, false).await;
    let events = settled_events(&app).await;
    let attempts = events[0]["attempts"].as_array().unwrap();
    assert_eq!(
        (attempts.len(), attempts[0]["status"].as_u64(), attempts[0]["outcome"].as_str()),
        (1, Some(302), Some("failed")),
        "{events:?}"
    );
    assert!(inside.bodies().is_empty(), "the redirect was not followed");
}

async fn get_as(app: &TestApp, path: &str, host: &str) -> Answer {
    answer(app.client.get(format!("{}{path}", app.base)).header("host", host).send().await.unwrap()).await
}

#[tokio::test]
async fn without_auth_only_loopback_names_and_the_public_url_are_answered() {
    let app = spawn_app_with(&["--public-url", "http://loupe.test:4318"]).await;
    let port = app.base.rsplit(':').next().unwrap().to_string();
    for ok in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), "loupe.test:4318".into(), format!("[::1]:{port}")] {
        assert_eq!(get_as(&app, "/api/traces", &ok).await.status, StatusCode::OK, "{ok}");
    }
    let rebound = get_as(&app, "/api/traces", "rebind.attacker.example:4318").await;
    assert_eq!(rebound.status, StatusCode::MISDIRECTED_REQUEST);
    assert!(rebound.text().contains("--public-url"), "{}", rebound.text());
    let post = answer(
        app.client
            .post(format!("{}/api/alerts/rules", app.base))
            .header("host", "rebind.attacker.example:4318")
            .json(&slow_tools("http://203.0.113.7/", 0))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(post.status, StatusCode::MISDIRECTED_REQUEST);
    assert!(app.get("/api/alerts/rules").await.json().as_array().unwrap().is_empty());

    // With --auth and no --public-url, the name is the proxy's business.
    let proxied = spawn_auth_app(&[]).await;
    assert_eq!(get_as(&proxied, "/healthz", "loupe.internal").await.status, StatusCode::OK);
    assert_eq!(get_as(&proxied, "/login", "loupe.internal").await.status, StatusCode::OK);
}

#[tokio::test]
async fn repeated_wrong_passwords_are_throttled_without_checking_and_a_success_resets() {
    let app = spawn_auth_app(&[]).await;
    for _ in 0..6 {
        let a = app.post_login(ADMIN, "not the password", "/").await;
        assert_eq!(a.status, StatusCode::SEE_OTHER, "the first tries are checked");
    }
    let throttled = app.post_login(ADMIN, "not the password", "/").await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = throttled.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert!(throttled.text().contains("Try again in"), "{}", throttled.text());
    // Even the right password waits: the throttle comes before the check.
    assert_eq!(app.post_login(ADMIN, ADMIN_PASSWORD, "/").await.status, StatusCode::TOO_MANY_REQUESTS);
    let cookie_wait = Duration::from_secs(wait) + Duration::from_millis(200);
    tokio::time::sleep(cookie_wait).await;
    let cookie = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    // The success reset the account's count: a wrong password is checked again.
    assert_eq!(app.post_login(ADMIN, "not the password", "/").await.status, StatusCode::SEE_OTHER);
    let metrics = app.get_with("/metrics", ("cookie", &cookie)).await.text();
    assert!(metrics.contains("loupe_login_throttled_total 2"), "{metrics}");
}

#[tokio::test]
async fn every_answer_carries_security_headers() {
    let app = spawn_app_with(&["--public-url", "https://loupe.example.com"]).await;
    app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await;
    let page = app.get("/").await;
    let csp = page.headers["content-security-policy"].to_str().unwrap().to_string();
    let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).unwrap_or_else(|| panic!("no nonce in {csp}"));
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'") && !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{csp}"
    );
    assert!(page.text().contains(&format!("nonce=\"{nonce}\"")), "the page's inline scripts carry the nonce");
    for path in ["/", "/api/traces", "/healthz", "/pkg/nothing.js", "/share/abc"] {
        let a = app.get(path).await;
        assert_eq!(a.headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(a.headers["x-frame-options"], "DENY", "{path}");
        assert!(a.headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(a.headers["strict-transport-security"], "max-age=31536000", "{path}");
        let referrer = if path.starts_with("/share/") { "no-referrer" } else { "same-origin" };
        assert_eq!(a.headers["referrer-policy"], referrer, "{path}");
    }
    let local = spawn_app().await;
    assert!(local.get("/").await.headers.get("strict-transport-security").is_none());
}

/// A raw request line, for paths an HTTP client would normalize.
async fn raw_get(app: &TestApp, path: &str) -> String {
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

#[tokio::test]
async fn small_holes_are_closed() {
    let app = spawn_auth_app(&[]).await;
    app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await;
    let id = fixture_trace_id("genai.pb");
    // Only files under the site root pass the asset area without a session.
    for path in [format!("/pkg/../traces/{id}"), "/pkg/%2e%2e/traces".into(), "/pkg/no-such-file.js".into()] {
        let raw = raw_get(&app, &path).await;
        assert!(raw.starts_with("HTTP/1.1 404"), "{path}: {raw}");
    }

    let open = spawn_app().await;
    let login = open.get("/login?next=javascript:alert(document.domain)").await.text();
    assert!(!login.contains("javascript:"), "{login}");
    let login = open.get("/login?next=%2Ftraces%3Fq%3Dx").await.text();
    assert!(login.contains("href=\"/traces?q=x\""), "{login}");

    for path in [
        "/api/traces?since=-9223372036854",
        "/api/traces?since=1h&until=2h",
        "/api/traces?since=-5",
        "/api/stats/latency?since=99999999999999d",
        "/api/stats/cost?since=1969-12-31T23:00",
        "/api/stats/users?since=1h&until=3h",
    ] {
        let a = open.get(path).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{path}: {}", a.text());
        let message = a.json()["error"].as_str().unwrap_or_default().to_string();
        assert!(message.contains("since") || message.contains("until"), "{path}: {message}");
    }
    let page = open.get("/?since=-9223372036854").await;
    assert!(page.text().contains("outside the times Loupe stores"), "the page says what is wrong: {}", page.text());
}

/// A trace whose tool step took `tool_ms`, ending at `end_ns`.
async fn tool_trace(app: &TestApp, rng: &mut Rng, end_ns: u64, tool_ms: u64) -> String {
    let t0 = end_ns - (tool_ms + 50) * MS;
    let mut t = TraceBuilder::new(rng);
    let root = t.span(None, "POST /refund", Server, t0, end_ns, vec![s("gen_ai.operation.name", "invoke_agent")]);
    t.span(
        Some(root),
        "execute_tool lookup_order",
        Internal,
        t0 + 10 * MS,
        t0 + (10 + tool_ms) * MS,
        vec![s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", "lookup_order")],
    );
    let id = t.trace_id_hex();
    assert_eq!(
        app.post_otlp(request("agent", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await.status,
        StatusCode::OK
    );
    id
}

#[tokio::test]
async fn a_share_shows_only_its_own_trace_numbers() {
    let app = spawn_app().await;
    let mut rng = Rng::new(11);
    let now = loupe::domain::now_ns() as u64;
    for i in 0..30 {
        tool_trace(&app, &mut rng, now - 3 * 3_600_000 * MS + i * 1_000 * MS, 40).await;
    }
    let slow = tool_trace(&app, &mut rng, now, 2_000).await;
    let page = app.get(&format!("/traces/{slow}")).await.text();
    assert!(page.contains("its usual p95"), "the trace page compares with other traces");
    let made = app.send_json(Method::POST, &format!("/api/traces/{slow}/share"), &serde_json::json!({"expires_in": "1h"})).await.json();
    let shared = app.get(&format!("/share/{}", made["token"].as_str().unwrap())).await.text();
    assert!(shared.contains("execute_tool lookup_order"), "the shared page shows the trace");
    assert!(!shared.contains("usual p95"), "but nothing from other traces");
}

#[tokio::test]
async fn share_tokens_keys_and_cookies_stay_out_of_logs_and_self_traces() {
    let receiver = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::fresh(dir.path()).await;
    let data = dir.path().to_str().unwrap().to_string();
    let db_args = db.serve_args();
    let mut args = vec!["--grpc-addr", "off", "--data-dir", &data, "--auth", "--self-trace", &receiver.base];
    args.extend(db_args.iter().map(String::as_str));
    // Every per-request line, as when troubleshooting.
    let child =
        common::child::serve(&args, &[("LOUPE_ADMIN_USER", ADMIN), ("LOUPE_ADMIN_PASSWORD", ADMIN_PASSWORD), ("LOUPE_LOG", "debug")]);
    let base = child.base.clone();
    let client = client_builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let form = form_body(&[("name", ADMIN), ("password", ADMIN_PASSWORD), ("next", "/")]);
    let signed =
        client.post(format!("{base}/login")).header("content-type", "application/x-www-form-urlencoded").body(form).send().await.unwrap();
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let session = cookie.split('=').nth(1).unwrap().to_string();
    let made = client
        .post(format!("{base}/api/keys"))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"name": "ci", "scope": "api"}))
        .send()
        .await
        .unwrap();
    let key = made.json::<serde_json::Value>().await.unwrap()["key"].as_str().unwrap().to_string();
    let sent = client
        .post(format!("{base}/v1/traces"))
        .header("content-type", "application/x-protobuf")
        .header("x-api-key", &key)
        .body(fixture("genai.pb"))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::OK);
    let listed = client.get(format!("{base}/api/traces")).header("authorization", format!("Bearer {key}")).send().await.unwrap();
    assert_eq!(listed.status(), StatusCode::OK);
    let id = fixture_trace_id("genai.pb");
    let share = client
        .post(format!("{base}/api/traces/{id}/share"))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"expires_in": "1h"}))
        .send()
        .await
        .unwrap();
    let token = share.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_string();
    for path in [format!("/share/{token}"), format!("/api/share/{token}")] {
        assert_eq!(client.get(format!("{base}{path}")).send().await.unwrap().status(), StatusCode::OK, "{path}");
    }
    // Wait for the self-trace spans of the share requests.
    let mut spans = String::new();
    for _ in 0..100 {
        let list = receiver.get("/api/traces?service=loupe&limit=200").await.json();
        spans.clear();
        for t in list["traces"].as_array().unwrap() {
            spans.push_str(&receiver.get(&format!("/api/traces/{}", t["trace_id"].as_str().unwrap())).await.text());
        }
        if spans.contains("/api/share/{token}") && spans.contains("\"/share/{token}\"") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let log = child.log_text();
    drop(child);
    assert!(log.contains("/share/{token}"), "the requests are logged, with the token replaced:\n{log}");
    assert!(spans.contains("/api/share/{token}"), "the share requests were traced: {spans}");
    for (what, secret) in [("share token", token.as_str()), ("API key", key.as_str()), ("session cookie", session.as_str())] {
        assert!(!log.contains(secret), "the {what} is in the log");
        assert!(!spans.contains(secret), "the {what} is in a self-trace span");
    }
}
