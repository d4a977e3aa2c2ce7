//! The brief stays bounded on big traces and still names what matters: the
//! demo's 10,000-span evaluation run and a 100,000-span one.

use prost::Message;
use reqwest::StatusCode;
use serde_json::json;

use super::client::{self, ok};
use crate::common::*;
use loupe::synth::{MS, Rng, request, scenarios};

/// Sends an evaluation run of `spans` spans in requests of 5,000; its trace id.
async fn send_run(app: &TestApp, seed: u64, spans: usize) -> String {
    let mut rng = Rng::new(seed);
    let t0 = loupe::domain::now_ns() as u64 - 3_600_000 * MS;
    let t = scenarios::evaluation_run(&mut rng, t0, spans);
    let id = t.trace_id_hex();
    for chunk in t.spans.chunks(5_000) {
        let a = app.post_otlp(request("eval-runner", "tests", chunk.to_vec()).encode_to_vec(), "application/x-protobuf", None).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    }
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn briefs_of_10k_and_100k_span_traces_stay_under_the_bound() {
    let mut app = spawn_app().await;
    let c = client::http(&app.base, None).await;
    for (seed, spans) in [(1, 10_000), (2, 100_000)] {
        let id = send_run(&app, seed, spans).await;
        let brief = ok(&c, "get_trace", json!({ "trace_id": id })).await;
        let chars = brief.chars().count();
        assert!(chars <= loupe::brief::MAX_CHARS, "{spans} spans: {chars} characters");
        let cases = (spans - 1) / 4;
        let folded = format!("`case {{n}}` × {} (chain): retrieve → chat * → judge", app_count(cases));
        assert!(brief.contains(&folded), "{spans} spans: no {folded:?}:\n{brief}");
        for want in [
            "## Findings",
            "## Critical path",
            "## Time by step kind",
            "| llm |",
            "## Failed spans",
            "judge score below threshold",
            "## Slowest spans",
        ] {
            assert!(brief.contains(want), "{spans} spans: no {want:?}:\n{brief}");
        }
        let page = client::ok_json(&c, "find_spans", json!({ "trace_id": id, "q": "judge", "status": "error", "limit": 200 })).await;
        assert!(page["total"].as_u64().unwrap() > 0);
        assert!(page["spans"].as_array().unwrap().len() <= 200);
    }
    c.cancel().await.unwrap();
    app.stop().await;
}

fn app_count(n: usize) -> String {
    app::format::count(n as i64)
}
