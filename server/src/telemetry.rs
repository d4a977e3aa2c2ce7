//! Loupe's own logs: structured (`tracing`), and every line written while handling a
//! request carries that request's trace id, taken from an incoming W3C `traceparent`
//! header or freshly made, so a user's trace and Loupe's logs can be matched.

use std::time::Instant;

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use crate::domain::TraceId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, with the request's span fields (trace_id, …).
    Json,
}

/// Installs the global subscriber; `LOUPE_LOG` (or `RUST_LOG`) sets the filter.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_env("LOUPE_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    // Ignore "already set": tests start several servers in one process.
    let _ = match format {
        LogFormat::Text => builder.with_target(false).try_init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).try_init(),
    };
}

/// What the request middleware needs: the metrics, and the exporter of Loupe's
/// own spans when `--self-trace` is on.
#[derive(Clone)]
pub struct Telemetry {
    pub metrics: crate::metrics::Metrics,
    pub self_trace: Option<std::sync::Arc<crate::self_trace::SelfTrace>>,
}

/// The trace id of the request being handled, in its extensions.
#[derive(Clone, Copy, Debug)]
pub struct RequestTraceId(pub TraceId);

/// Middleware: runs the request inside a `request` span carrying its trace id, logs
/// its outcome, and returns the id in `x-trace-id`; with `--self-trace`, also
/// records the request as an OpenTelemetry span (not Loupe's own exports).
pub async fn request_span(axum::extract::State(t): axum::extract::State<Telemetry>, mut req: Request, next: Next) -> Response {
    let metrics = t.metrics;
    let area = crate::auth::area::area(req.uri().path()).as_str();
    let traced = t.self_trace.as_ref().filter(|s| !s.is_own_export(req.headers()));
    // Share tokens are secrets: they never reach a log line or a span.
    let path = loggable_path(req.uri().path());
    let (otel, trace_id) = match traced {
        Some(s) => {
            let (span, id) = s.request(req.method().as_str(), &path, area, req.headers());
            (Some(span), id)
        }
        None => {
            let id =
                req.headers().get("traceparent").and_then(|v| v.to_str().ok()).and_then(parse_traceparent).unwrap_or_else(TraceId::random);
            (None, id)
        }
    };
    // For work the handler hands to other tasks (MCP tool calls), which leave this span.
    let span = tracing::info_span!("request", trace_id = %trace_id, method = %req.method(), path = %path);
    req.extensions_mut().insert(RequestTraceId(trace_id));
    async move {
        let started = Instant::now();
        let mut response = next.run(req).await;
        let status = response.status().as_u16();
        let elapsed = started.elapsed().as_secs_f64();
        metrics.request(area, elapsed);
        // One line per request is for troubleshooting (LOUPE_LOG=debug); failures
        // are worth seeing at the default level.
        let elapsed = app::format::duration((elapsed * 1e9) as i64);
        if status >= 500 {
            tracing::warn!(status, %elapsed, "request finished");
        } else {
            tracing::debug!(status, %elapsed, "request finished");
        }
        if let Ok(v) = HeaderValue::from_str(&trace_id.to_string()) {
            response.headers_mut().insert("x-trace-id", v);
        }
        if let Some(otel) = otel {
            otel.end(status);
        }
        response
    }
    .instrument(span)
    .await
}

/// The path with share tokens replaced by `{token}`, for logs and spans.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/share/", "/api/share/"] {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}{{token}}{tail}").into();
        }
    }
    path.into()
}

/// `00-<trace id>-<parent id>-<flags>`: <https://www.w3.org/TR/trace-context/#traceparent-header>
pub fn parse_traceparent(value: &str) -> Option<TraceId> {
    let mut parts = value.trim().split('-');
    let version = parts.next()?;
    let trace_id = parts.next()?;
    let parent = parts.next()?;
    let flags = parts.next()?;
    if version.len() != 2 || version.eq_ignore_ascii_case("ff") || parent.len() != 16 || flags.len() != 2 {
        return None;
    }
    if trace_id.len() != 32 {
        return None;
    }
    TraceId::parse(trace_id).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_tokens_stay_out_of_logs() {
        assert_eq!(loggable_path("/share/s3cr3t-token"), "/share/{token}");
        assert_eq!(loggable_path("/api/share/s3cr3t/spans/ab"), "/api/share/{token}/spans/ab");
        assert_eq!(loggable_path("/traces/ab"), "/traces/ab");
        assert_eq!(loggable_path("/shares"), "/shares");
    }

    #[test]
    fn traceparent_parsing() {
        let id = parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
        assert_eq!(id.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert!(parse_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01").is_none());
        assert!(parse_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_none());
        assert!(parse_traceparent("garbage").is_none());
    }
}
