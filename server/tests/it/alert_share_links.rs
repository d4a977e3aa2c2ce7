//! The incident loop with access control on: a slow tool call fires the rule, and
//! the notification carries a share link that opens the slow span for a teammate
//! who has no account, and nothing else.

use crate::common;

use std::time::Duration;

use common::access::*;
use common::alerting::*;
use loupe::synth::Rng;
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn a_notification_carries_a_share_link_that_opens_the_slow_span() {
    let mut app = spawn_auth_app(&["--public-url", "http://loupe.example.com"]).await;
    let admin = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    app.api_key = Some(app.create_key(&admin, "agent", "ingest").await);
    let hook = receiver(0).await;
    let mut rule = slow_tools(&hook.url, 0);
    rule["share_expires_in"] = "24h".into();
    let made = app.send_json_with(Method::POST, "/api/alerts/rules", &rule, ("cookie", &admin)).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    assert_eq!(made.json()["share_expires_in"], "24h", "{}", made.text());

    let (trace_id, span_id) = send_tool_call(&app, &mut Rng::new(7), 2_500, false).await;
    let got = hook.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let share = got[0]["share_link"].as_str().expect("a share link").to_string();
    let prefix = "http://loupe.example.com/share/";
    assert!(share.starts_with(prefix) && share.ends_with(&format!("?span={span_id}")), "{share}");
    assert_eq!(got[0]["link"], format!("http://loupe.example.com/traces/{trace_id}?span={span_id}"));

    // The teammate: no cookie, no key. The link opens the trace on the slow span.
    let path = &share["http://loupe.example.com".len()..];
    let page = app.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let html = page.text();
    assert!(html.contains(&format!("data-trace-id=\"{trace_id}\"")));
    assert!(html.contains("data-testid=\"span-detail\"") && html.contains("execute_tool lookup_order"));
    // The permalink in the same notification needs an account.
    assert_eq!(app.get(&format!("/traces/{trace_id}?span={span_id}")).await.status, StatusCode::SEE_OTHER);
    // The link is listed on the trace, revocable like any other.
    let links = app.get_with(&format!("/api/traces/{trace_id}/shares"), ("cookie", &admin)).await.json();
    assert_eq!(links.as_array().unwrap().len(), 1);
    assert_eq!(links[0]["state"], "active");

    // A rule asking for another expiry is refused, naming the field.
    rule["share_expires_in"] = "forever".into();
    let bad = app.send_json_with(Method::POST, "/api/alerts/rules", &rule, ("cookie", &admin)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().starts_with("share_expires_in:"), "{}", bad.text());
}
