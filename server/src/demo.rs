//! `loupe demo` and `serve --demo`: realistic agent traces sent through the real
//! OTLP/HTTP endpoint, so the demo exercises exactly what an SDK would.

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

use crate::synth::scenarios::{self, TravelOptions};
use crate::synth::{MS, Rng, logs, request};

const MINUTE: u64 = 60_000 * MS;

/// Sends the demo data set to `endpoint` (a Loupe base URL).
/// `api_key` is sent as `Authorization: Bearer` (for a Loupe running with --auth).
pub async fn run(endpoint: &str, big_trace_spans: usize, api_key: Option<&str>) -> anyhow::Result<()> {
    let requests = build(big_trace_spans);
    let logs = build_logs(&requests);
    let total_spans: usize = requests.iter().map(|r| r.resource_spans[0].scope_spans[0].spans.len()).sum();
    let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
    eprintln!("Sending {} requests ({total_spans} spans) of demo traces to {url}", requests.len());
    let bar = ProgressBar::new(total_spans as u64)
        .with_style(ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} spans {msg}").expect("progress template"));
    let client = reqwest::Client::new();
    let mut sends = futures::stream::iter(requests.into_iter().map(|r| {
        let client = client.clone();
        let url = url.clone();
        let api_key = api_key.map(str::to_string);
        async move {
            let spans = r.resource_spans[0].scope_spans[0].spans.len();
            let mut request = client.post(&url).header("content-type", "application/x-protobuf").body(r.encode_to_vec());
            if let Some(key) = &api_key {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.map_err(|e| anyhow::anyhow!("cannot reach Loupe at {url}: {e}"))?;
            let status = response.status();
            if !status.is_success() {
                let body = response.bytes().await.unwrap_or_default();
                anyhow::bail!("Loupe refused demo data ({status}): {}", String::from_utf8_lossy(&body));
            }
            Ok(spans)
        }
    }))
    .buffer_unordered(4);
    while let Some(sent) = sends.next().await {
        bar.inc(sent? as u64);
    }
    bar.finish_with_message("done");
    send_logs(&client, endpoint, logs, api_key).await?;
    eprintln!("Demo data sent. Open {} to look at it.", endpoint.trim_end_matches('/'));
    Ok(())
}

/// Sends the demo's log records to `/v1/logs` (after the spans, as a batching
/// log exporter usually does).
async fn send_logs(
    client: &reqwest::Client,
    endpoint: &str,
    logs: Vec<ExportLogsServiceRequest>,
    api_key: Option<&str>,
) -> anyhow::Result<()> {
    let url = format!("{}/v1/logs", endpoint.trim_end_matches('/'));
    let records: usize = logs.iter().map(|r| r.resource_logs[0].scope_logs[0].log_records.len()).sum();
    eprintln!("Sending {records} demo log records to {url}");
    for request in logs {
        let mut post = client.post(&url).header("content-type", "application/x-protobuf").body(request.encode_to_vec());
        if let Some(key) = api_key {
            post = post.bearer_auth(key);
        }
        let response = post.send().await.map_err(|e| anyhow::anyhow!("cannot reach Loupe at {url}: {e}"))?;
        if !response.status().is_success() {
            let status = response.status();
            let body = response.bytes().await.unwrap_or_default();
            anyhow::bail!("Loupe refused demo logs ({status}): {}", String::from_utf8_lossy(&body));
        }
    }
    Ok(())
}

/// What the demo traces' spans logged (a request per trace request), and a
/// nightly job's records without a trace on each of the last three nights.
pub fn build_logs(requests: &[ExportTraceServiceRequest]) -> Vec<ExportLogsServiceRequest> {
    let mut out: Vec<ExportLogsServiceRequest> = requests
        .iter()
        .filter_map(|r| {
            let rs = &r.resource_spans[0];
            let service =
                rs.resource.as_ref().and_then(|res| res.attributes.iter().find(|a| a.key == "service.name")).and_then(|a| {
                    match a.value.as_ref()?.value.as_ref()? {
                        opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s) => Some(s.clone()),
                        _ => None,
                    }
                })?;
            let records = logs::of_trace(&rs.scope_spans[0].spans);
            (!records.is_empty()).then(|| logs::request(&service, &format!("{service}.app"), records))
        })
        .collect();
    let mut rng = Rng::from_os();
    let now = crate::domain::now_ns() as u64;
    let mut nights = Vec::new();
    for night in 1..=3u64 {
        nights.extend(logs::nightly_job(&mut rng, now - night * 24 * 60 * MINUTE + 2 * 60 * MINUTE));
    }
    out.push(logs::request("nightly-reindex", "reindex.job", nights));
    out
}

/// Starts sending the demo data in the background if the database is empty.
pub async fn seed_if_empty(running: &crate::startup::Running) -> anyhow::Result<()> {
    let stats = running.store.stats().await?;
    if stats.traces > 0 {
        tracing::info!(traces = stats.traces, "the database already has traces; not adding demo data");
        return Ok(());
    }
    let endpoint = format!("http://{}", running.addr);
    // With --auth the demo data needs a key like any exporter: one made for it
    // and revoked once it is done.
    let key = match running.auth_enabled {
        true => {
            Some(crate::auth::keys::create(&running.store, "demo data (serve --demo)", app::model::access::KeyScope::Ingest, None).await?)
        }
        false => None,
    };
    let store = running.store.clone();
    tokio::spawn(async move {
        tracing::info!("adding demo traces through the OTLP endpoint");
        match run(&endpoint, 10_000, key.as_ref().map(|k| k.key.as_str())).await {
            Ok(()) => tracing::info!("demo traces added"),
            Err(e) => tracing::error!(error = %e, "adding demo traces failed"),
        }
        if let Some(k) = key
            && let Err(e) = crate::auth::keys::revoke(&store, k.info.id).await
        {
            tracing::warn!(error = %e, "could not revoke the demo data's API key");
        }
    });
    Ok(())
}

/// The demo data set: three services and conventions, model calls on several models,
/// a tool that times out and is retried, failing runs, a 15-turn support session and
/// one very large trace, spread over the last day.
pub fn build(big_trace_spans: usize) -> Vec<ExportTraceServiceRequest> {
    let mut rng = Rng::from_os();
    let now = crate::domain::now_ns() as u64;
    let day = 24 * 60 * MINUTE;
    let mut out = Vec::new();

    for n in 0..40 {
        let t0 = now - rng.range(2 * MINUTE, day);
        let opts = TravelOptions { tool_timeout: n % 5 == 0, fails: n % 9 == 4 };
        let t = scenarios::travel_agent(&mut rng, t0, opts);
        out.push(request("travel-agent", "travel_agent.planner", t.spans));
    }
    // One long conversation: consecutive turns of one session, a minute or two apart.
    let mut t0 = now - 50 * MINUTE;
    for turn in 1..=15 {
        let t = scenarios::support_bot(&mut rng, t0, "sess-support-1042", "customer-77", turn);
        out.push(request("support-bot", "openinference.instrumentation.langchain", t.spans));
        t0 += rng.range(MINUTE, 3 * MINUTE);
    }
    for n in 0..25 {
        let t0 = now - rng.range(MINUTE, day);
        let t = scenarios::rag_api(&mut rng, t0, n % 8 == 3);
        let mut spans = t.spans;
        // Children before their parents, as batching exporters often send them.
        spans.reverse();
        out.push(request("rag-api", "opentelemetry.instrumentation.openai", spans));
    }
    if big_trace_spans > 0 {
        let t = scenarios::evaluation_run(&mut rng, now - 30 * MINUTE, big_trace_spans);
        // A big trace arrives in many requests, its root last.
        let mut spans = t.spans;
        spans.rotate_left(1);
        for chunk in spans.chunks(1000) {
            out.push(request("eval-runner", "loupe.demo", chunk.to_vec()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_set_has_every_promised_shape() {
        let requests = build(10_000);
        let spans: Vec<_> = requests.iter().flat_map(|r| r.resource_spans[0].scope_spans[0].spans.iter()).collect();
        let big: std::collections::HashMap<&[u8], usize> = spans.iter().fold(Default::default(), |mut m, s| {
            *m.entry(s.trace_id.as_slice()).or_default() += 1;
            m
        });
        assert_eq!(big.values().copied().max(), Some(10_000));
        let services: std::collections::BTreeSet<_> =
            requests.iter().map(|r| format!("{:?}", r.resource_spans[0].resource.as_ref().unwrap().attributes[0].value)).collect();
        assert!(services.len() >= 4, "{services:?}");
        assert!(spans.iter().any(|s| s.status.as_ref().is_some_and(|st| st.message.contains("timed out"))));
        assert!(spans.iter().any(|s| s.status.as_ref().is_some_and(|st| st.message.contains("429"))));
        let logs = build_logs(&requests);
        let records: Vec<_> = logs.iter().flat_map(|r| r.resource_logs[0].scope_logs[0].log_records.iter()).collect();
        let body = |r: &&opentelemetry_proto::tonic::logs::v1::LogRecord| format!("{:?}", r.body);
        assert!(records.iter().any(|r| r.severity_number == 13 && body(r).contains("timed out; retrying")), "the retry warns");
        assert!(records.iter().any(|r| body(r).contains("cache miss")), "the RAG service misses its cache");
        assert!(records.iter().any(|r| r.severity_number == 17 && r.attributes.iter().any(|a| a.key == "exception.type")));
        assert!(records.iter().any(|r| r.trace_id.is_empty() && body(r).contains("nightly re-index")), "the nightly job has no trace");
    }
}
