//! Everything shown from spans is text: a span name, attribute, model, tool, user,
//! service or status message holding HTML or script shows escaped on every page.

use crate::common;

use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Client, Internal, Server};
use prost::Message;
use reqwest::StatusCode;
use serde_json::json;

const EVIL: &str = "<img src=x onerror=alert(1)>";

#[tokio::test]
async fn markup_in_spans_shows_as_text_on_every_page() {
    let app = spawn_app().await;
    let end = loupe::domain::now_ns() as u64;
    let mut t = TraceBuilder::new(&mut Rng::new(1));
    let root = t.span(
        None,
        EVIL,
        Server,
        end - 3_000 * MS,
        end,
        vec![s("user.id", EVIL), s("session.id", EVIL), s("gen_ai.operation.name", "invoke_agent")],
    );
    t.span(
        Some(root),
        EVIL,
        Client,
        end - 2_900 * MS,
        end - 2_000 * MS,
        vec![s("gen_ai.operation.name", "chat"), s("gen_ai.request.model", EVIL), s("gen_ai.usage.input_tokens", "100"), s("note", EVIL)],
    );
    let tool = t.span(
        Some(root),
        EVIL,
        Internal,
        end - 1_900 * MS,
        end - 100 * MS,
        vec![s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", EVIL)],
    );
    t.fail_last(EVIL, EVIL);
    let trace_id = t.trace_id_hex();
    let tool_id: String = tool.iter().map(|b| format!("{b:02x}")).collect();
    let a = app.post_otlp(request(EVIL, EVIL, t.spans).encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());

    // A rule that fires on the span, and a share link, so those pages show it too.
    let rule = json!({"name": EVIL, "condition": {"type": "span_error"}, "cooldown_s": 0});
    assert_eq!(app.send_json(reqwest::Method::POST, "/api/alerts/rules", &rule).await.status, StatusCode::CREATED);
    let share = app.send_json(reqwest::Method::POST, &format!("/api/traces/{trace_id}/share"), &json!({})).await.json();
    for _ in 0..50 {
        if app.get("/api/alerts/events").await.json().as_array().is_some_and(|e| !e.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let token = share["token"].as_str().unwrap();
    let user = EVIL.replace('<', "%3C").replace('>', "%3E").replace(' ', "%20").replace('=', "%3D");
    let pages = [
        "/".to_string(),
        format!("/traces/{trace_id}"),
        format!("/traces/{trace_id}?span={tool_id}"),
        "/latency".to_string(),
        "/latency?kind=tool".to_string(),
        "/costs".to_string(),
        "/users".to_string(),
        format!("/sessions/{user}"),
        format!("/?user={user}"),
        "/alerts".to_string(),
        "/alerts/history".to_string(),
        format!("/share/{token}?span={tool_id}"),
    ];
    for page in pages {
        let answer = app.get(&page).await;
        assert_eq!(answer.status, StatusCode::OK, "{page}");
        let html = answer.text();
        if let Some(at) = html.find("<img src=x") {
            panic!("{page} emits span text as markup: …{}…", &html[at.saturating_sub(300)..(at + 80).min(html.len())]);
        }
        // (Raw `>` after it is fine: inside quoted attributes and in the hydration
        // data, whose `<` is escaped as \u003c, it cannot open a tag.)
    }
    // A name that closes the title: still text.
    let mut t = TraceBuilder::new(&mut Rng::new(2));
    t.span(None, "</title><script>alert(1)</script>", Server, end - MS, end, vec![]);
    let closing = t.trace_id_hex();
    assert_eq!(app.post_otlp(request("svc", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await.status, StatusCode::OK);
    let html = app.get(&format!("/traces/{closing}")).await.text();
    assert!(!html.contains("<script>alert(1)"), "the title cannot be closed from a span name");
    assert!(html.contains("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));

    // And it is there, as text, where it belongs.
    let trace_page = app.get(&format!("/traces/{trace_id}?span={tool_id}")).await.text();
    assert!(trace_page.contains("&lt;img src=x onerror=alert(1)&gt;"));
}
