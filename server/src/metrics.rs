//! Loupe's own metrics, for `GET /metrics` (OpenMetrics text, which Prometheus
//! scrapes): spans received, stored and rejected by reason, OTLP answers by
//! status, the write queue, request latency by area, alert deliveries by outcome,
//! the database pools and tail sampling's decisions. One `Metrics` per server (tests run several in one
//! process), handed to the parts that count.

use std::sync::Arc;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

type Label = [(&'static str, &'static str); 1];
type Labels2 = [(&'static str, &'static str); 2];

/// 1 ms to about 33 s, doubling: from an asset to a slow export under load.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    spans_received: Counter,
    spans_stored: Counter,
    spans_rejected: Family<Label, Counter>,
    logs_received: Counter,
    logs_stored: Counter,
    logs_rejected: Family<Label, Counter>,
    otlp_requests: Family<Label, Counter>,
    request_seconds: Family<Label, Histogram, fn() -> Histogram>,
    alert_deliveries: Family<Label, Counter>,
    queue_spans: Gauge,
    db_connections: Family<Labels2, Gauge>,
    sampled_traces: Family<Labels2, Counter>,
    sampled_spans: Family<Labels2, Counter>,
    decided_at_cap: Counter,
    pending_spans: Gauge,
    retention_traces: Counter,
    retention_spans: Counter,
    retention_runs: Family<Label, Counter>,
    login_throttled: Counter,
    mcp_tool_calls: Family<Labels2, Counter>,
    mcp_tool_seconds: Family<Label, Histogram, fn() -> Histogram>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("loupe");
        let spans_received = Counter::default();
        let spans_stored = Counter::default();
        let spans_rejected = Family::<Label, Counter>::default();
        let logs_received = Counter::default();
        let logs_stored = Counter::default();
        let logs_rejected = Family::<Label, Counter>::default();
        let otlp_requests = Family::<Label, Counter>::default();
        let request_seconds = Family::<Label, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        let alert_deliveries = Family::<Label, Counter>::default();
        let queue_spans = Gauge::default();
        let db_connections = Family::<Labels2, Gauge>::default();
        let sampled_traces = Family::<Labels2, Counter>::default();
        let sampled_spans = Family::<Labels2, Counter>::default();
        let decided_at_cap = Counter::default();
        let pending_spans = Gauge::default();
        let retention_traces = Counter::default();
        let retention_spans = Counter::default();
        let retention_runs = Family::<Label, Counter>::default();
        let login_throttled = Counter::default();
        let mcp_tool_calls = Family::<Labels2, Counter>::default();
        let mcp_tool_seconds = Family::<Label, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register("spans_received", "Spans in OTLP requests that were decoded", spans_received.clone());
        registry.register(
            "spans_stored",
            "Spans committed to the database, or held there for a sampling decision (re-sent duplicates included)",
            spans_stored.clone(),
        );
        registry.register(
            "spans_rejected",
            "Spans not stored, by reason: invalid, overloaded (queue full), storage (a failed commit)",
            spans_rejected.clone(),
        );
        registry.register("log_records_received", "Log records in OTLP logs requests that were decoded", logs_received.clone());
        registry.register("log_records_stored", "Log records committed to the database (re-sent duplicates included)", logs_stored.clone());
        registry.register(
            "log_records_rejected",
            "Log records not stored, by reason: invalid, overloaded (queue full), storage (a failed commit)",
            logs_rejected.clone(),
        );
        registry.register("otlp_requests", "OTLP export requests, by HTTP status of the answer", otlp_requests.clone());
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by area: ingest, api, rpc, page, open",
            request_seconds.clone(),
        );
        registry.register(
            "alert_deliveries",
            "Alert notifications sent to a channel, by outcome: delivered, failed",
            alert_deliveries.clone(),
        );
        registry.register("write_queue_spans", "Spans waiting for the writer", queue_spans.clone());
        registry.register(
            "db_connections",
            "Database connections, by pool (SQLite: read, admin; PostgreSQL: postgres) and state (open, idle)",
            db_connections.clone(),
        );
        registry.register("sampling_traces", "Traces decided by tail sampling, by decision (kept, dropped) and reason (error, alert, slow, stored, fraction, sampling_off, sampled_out)", sampled_traces.clone());
        registry.register(
            "sampling_spans",
            "Spans of the traces decided by tail sampling, by decision and reason; dropped ones are the spans sampled out",
            sampled_spans.clone(),
        );
        registry.register(
            "sampling_decided_at_cap",
            "Traces decided early because --sample-max-pending spans waited",
            decided_at_cap.clone(),
        );
        registry.register("sampling_pending_spans", "Spans held for a tail-sampling decision", pending_spans.clone());
        registry.register(
            "retention_deleted_traces",
            "Traces deleted by retention (past their time, or the oldest over the size cap)",
            retention_traces.clone(),
        );
        registry.register("retention_deleted_spans", "Spans deleted by retention with their traces", retention_spans.clone());
        registry.register(
            "retention_runs",
            "Retention runs on this replica, by outcome: ok, failed (tried again at the next interval)",
            retention_runs.clone(),
        );
        registry.register(
            "login_throttled",
            "Sign-in attempts refused with 429 before the password was checked (too many recent failures)",
            login_throttled.clone(),
        );
        registry.register(
            "mcp_tool_calls",
            "MCP tool calls, by tool and outcome: ok, error (a tool error the assistant reads: bad arguments, unknown ids), failed (Loupe could not answer)",
            mcp_tool_calls.clone(),
        );
        registry.register("mcp_tool_duration_seconds", "Time to answer an MCP tool call, by tool", mcp_tool_seconds.clone());
        let inner = Inner {
            registry,
            spans_received,
            spans_stored,
            spans_rejected,
            logs_received,
            logs_stored,
            logs_rejected,
            otlp_requests,
            request_seconds,
            alert_deliveries,
            queue_spans,
            db_connections,
            sampled_traces,
            sampled_spans,
            decided_at_cap,
            pending_spans,
            retention_traces,
            retention_spans,
            retention_runs,
            login_throttled,
            mcp_tool_calls,
            mcp_tool_seconds,
        };
        Metrics { inner: Arc::new(inner) }
    }

    /// Spans stored since start (for the periodic summary line).
    pub fn spans_stored(&self) -> u64 {
        self.inner.spans_stored.get()
    }

    /// A sign-in attempt refused by the throttle.
    /// One MCP tool call: `tool` is one of Loupe's tool names, `outcome` ok, error or failed.
    pub fn mcp_tool(&self, tool: &'static str, outcome: &'static str, seconds: f64) {
        self.inner.mcp_tool_calls.get_or_create(&[("tool", tool), ("outcome", outcome)]).inc();
        self.inner.mcp_tool_seconds.get_or_create(&[("tool", tool)]).observe(seconds);
    }

    pub fn login_throttled(&self) {
        self.inner.login_throttled.inc();
    }

    /// One OTLP request answered with `status`: `received` spans decoded, `stored`
    /// committed, `rejected` refused for `reason`.
    pub fn export(&self, status: u16, received: u64, stored: u64, rejected: u64, reason: &'static str) {
        let i = &self.inner;
        i.otlp_requests.get_or_create(&[("status", status_label(status))]).inc();
        i.spans_received.inc_by(received);
        i.spans_stored.inc_by(stored);
        if rejected > 0 {
            i.spans_rejected.get_or_create(&[("reason", reason)]).inc_by(rejected);
        }
    }

    /// One OTLP logs request, as [`Metrics::export`] for spans.
    pub fn export_logs(&self, status: u16, received: u64, stored: u64, rejected: u64, reason: &'static str) {
        let i = &self.inner;
        i.otlp_requests.get_or_create(&[("status", status_label(status))]).inc();
        i.logs_received.inc_by(received);
        i.logs_stored.inc_by(stored);
        if rejected > 0 {
            i.logs_rejected.get_or_create(&[("reason", reason)]).inc_by(rejected);
        }
    }

    /// A request of `area` took `seconds`.
    pub fn request(&self, area: &'static str, seconds: f64) {
        self.inner.request_seconds.get_or_create(&[("area", area)]).observe(seconds);
    }

    pub fn delivery(&self, delivered: bool) {
        let outcome = if delivered { "delivered" } else { "failed" };
        self.inner.alert_deliveries.get_or_create(&[("outcome", outcome)]).inc();
    }

    /// A round of tail-sampling decisions: traces and spans per reason.
    pub fn sampled(&self, counts: &std::collections::BTreeMap<crate::domain::sampling::Reason, (u64, u64)>, at_cap: u64) {
        let i = &self.inner;
        for (reason, &(traces, spans)) in counts {
            let labels = [("decision", if reason.keeps() { "kept" } else { "dropped" }), ("reason", reason.as_str())];
            i.sampled_traces.get_or_create(&labels).inc_by(traces);
            i.sampled_spans.get_or_create(&labels).inc_by(spans);
        }
        i.decided_at_cap.inc_by(at_cap);
    }

    /// Retention deleted `traces` with `spans`.
    pub fn retained_out(&self, traces: u64, spans: u64) {
        self.inner.retention_traces.inc_by(traces);
        self.inner.retention_spans.inc_by(spans);
    }

    pub fn retention_run(&self, ok: bool) {
        self.inner.retention_runs.get_or_create(&[("outcome", if ok { "ok" } else { "failed" })]).inc();
    }

    pub fn set_pending_spans(&self, spans: usize) {
        self.inner.pending_spans.set(spans as i64);
    }

    /// The text of `GET /metrics`, with the gauges read now.
    pub fn render(&self, queued_spans: usize, pools: &[(&'static str, u32, u32)]) -> String {
        let i = &self.inner;
        i.queue_spans.set(queued_spans as i64);
        for &(pool, open, idle) in pools {
            i.db_connections.get_or_create(&[("pool", pool), ("state", "open")]).set(open as i64);
            i.db_connections.get_or_create(&[("pool", pool), ("state", "idle")]).set(idle as i64);
        }
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &i.registry).expect("writing to a String cannot fail");
        out
    }
}

/// Statuses as labels without allocating: the few OTLP answers there are.
fn status_label(status: u16) -> &'static str {
    match status {
        200 => "200",
        400 => "400",
        401 => "401",
        403 => "403",
        413 => "413",
        415 => "415",
        429 => "429",
        503 => "503",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_as_openmetrics() {
        let m = Metrics::new();
        m.export(200, 10, 9, 1, "invalid");
        m.export(503, 5, 0, 5, "overloaded");
        m.request("ingest", 0.003);
        m.delivery(true);
        use crate::domain::sampling::Reason;
        m.sampled(&[(Reason::Error, (2, 14)), (Reason::SampledOut, (9, 60))].into_iter().collect(), 1);
        m.set_pending_spans(7);
        m.retained_out(3, 21);
        m.retention_run(false);
        let text = m.render(42, &[("read", 4, 3)]);
        for line in [
            "loupe_spans_received_total 15",
            "loupe_spans_stored_total 9",
            "loupe_spans_rejected_total{reason=\"invalid\"} 1",
            "loupe_spans_rejected_total{reason=\"overloaded\"} 5",
            "loupe_otlp_requests_total{status=\"503\"} 1",
            "loupe_http_request_duration_seconds_count{area=\"ingest\"} 1",
            "loupe_alert_deliveries_total{outcome=\"delivered\"} 1",
            "loupe_write_queue_spans 42",
            "loupe_db_connections{pool=\"read\",state=\"idle\"} 3",
            "loupe_sampling_traces_total{decision=\"kept\",reason=\"error\"} 2",
            "loupe_sampling_spans_total{decision=\"dropped\",reason=\"sampled_out\"} 60",
            "loupe_sampling_decided_at_cap_total 1",
            "loupe_sampling_pending_spans 7",
            "loupe_retention_deleted_traces_total 3",
            "loupe_retention_deleted_spans_total 21",
            "loupe_retention_runs_total{outcome=\"failed\"} 1",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
