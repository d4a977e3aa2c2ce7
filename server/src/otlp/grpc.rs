//! OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export` on its
//! own port (4317 by default, `--grpc-addr`), gzip accepted. The same path as
//! OTLP/HTTP behind the transport: the access gate's ingest rule, the body limit,
//! `convert`, the bounded write queue, and an answer only once the spans are
//! committed. Refusals use the codes the OTLP specification gives exporters:
//! UNAUTHENTICATED, OUT_OF_RANGE above the size limit, and UNAVAILABLE with a
//! `RetryInfo` when the queue is full or storage failed (retryable; nothing from the
//! request was kept); invalid spans are named in a partial success.
//! <https://opentelemetry.io/docs/specs/otlp/#otlpgrpc-response>

use std::net::SocketAddr;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTracePartialSuccess, ExportTraceServiceRequest, ExportTraceServiceResponse};
use prost::Message;
use tonic::codec::CompressionEncoding;
use tonic::{Code, Request, Response, Status};

use super::convert::convert;
use super::decode::{Any, RpcStatus};
use crate::auth::gate::{Area, admits};
use crate::error::Error;
use crate::state::AppState;

struct Service {
    state: AppState,
}

/// `google.rpc.RetryInfo`: how long the exporter should wait before retrying.
#[derive(Clone, PartialEq, prost::Message)]
struct RetryInfo {
    #[prost(message, optional, tag = "1")]
    retry_delay: Option<ProtoDuration>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ProtoDuration {
    #[prost(int64, tag = "1")]
    seconds: i64,
    #[prost(int32, tag = "2")]
    nanos: i32,
}

/// UNAVAILABLE with a retry delay, as OTLP exporters read it.
fn retry_later(message: String, after: Duration) -> Status {
    let info = RetryInfo { retry_delay: Some(ProtoDuration { seconds: after.as_secs() as i64, nanos: 0 }) };
    // `google.rpc.Status` with details, sent in `grpc-status-details-bin`.
    let details = RpcStatus {
        code: Code::Unavailable as i32,
        message: message.clone(),
        details: vec![Any { type_url: "type.googleapis.com/google.rpc.RetryInfo".into(), value: info.encode_to_vec() }],
    };
    Status::with_details(Code::Unavailable, message, details.encode_to_vec().into())
}

#[tonic::async_trait]
impl TraceService for Service {
    async fn export(&self, request: Request<ExportTraceServiceRequest>) -> Result<Response<ExportTraceServiceResponse>, Status> {
        let state = &self.state;
        let headers = request.metadata().clone().into_headers();
        // The gate's rule for /v1/traces: a key of any scope, or a session.
        let admitted = match state.auth.viewer(&headers).await {
            Ok(viewer) => admits(Area::Ingest, &viewer),
            Err(e) => Err(e),
        };
        if let Err(e) = admitted {
            state.metrics.export(401, 0, 0, 0, "");
            return Err(Status::unauthenticated(e.to_string()));
        }
        let converted = convert(request.into_inner());
        let received = converted.spans.len() as i64 + converted.rejected;
        let message = if converted.rejected > 0 { converted.message() } else { String::new() };
        match state.ingest.accept(converted.spans).await {
            Ok(stored) => {
                let rejected = received - stored as i64;
                state.metrics.export(200, received as u64, stored as u64, rejected as u64, "invalid");
                tracing::info!(received, stored, rejected, transport = "grpc", "export committed");
                let partial_success = (rejected > 0).then(|| ExportTracePartialSuccess { rejected_spans: rejected, error_message: message });
                Ok(Response::new(ExportTraceServiceResponse { partial_success }))
            }
            Err(Error::Overloaded) => {
                state.metrics.export(503, received as u64, 0, received as u64, "overloaded");
                tracing::warn!(received, transport = "grpc", "write queue full; asked the client to retry");
                Err(retry_later(Error::Overloaded.to_string(), Duration::from_secs(1)))
            }
            Err(e) => {
                state.metrics.export(503, received as u64, 0, received as u64, "storage");
                tracing::error!(error = %e, received, transport = "grpc", "export not stored");
                Err(retry_later(format!("{e}; nothing from this request was stored, retry"), Duration::from_secs(5)))
            }
        }
    }
}

/// Serves OTLP/gRPC on `listener` until `shutdown` resolves; in-flight exports
/// finish first.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
    let limit = state.max_body_bytes;
    let service = TraceServiceServer::new(Service { state })
        .accept_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Gzip)
        // Messages are limited as OTLP/HTTP bodies are, decompressed; beyond it the
        // exporter gets OUT_OF_RANGE ("decoded message length too large … the limit
        // is …"), which OTLP exporters do not retry.
        .max_decoding_message_size(limit);
    tonic::transport::Server::builder()
        .add_service(service)
        .serve_with_incoming_shutdown(tonic::transport::server::TcpIncoming::from(listener), shutdown)
        .await?;
    Ok(())
}

/// Where gRPC listens: `None` when turned off with `--grpc-addr off`.
pub fn parse_addr(value: &str) -> Result<Option<SocketAddr>, String> {
    if value.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|e| format!("{value:?} is not an address like 127.0.0.1:4317 (or `off`): {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_and_off() {
        assert_eq!(parse_addr("off").unwrap(), None);
        assert_eq!(parse_addr("127.0.0.1:4317").unwrap(), Some("127.0.0.1:4317".parse().unwrap()));
        assert!(parse_addr("4317").unwrap_err().contains("127.0.0.1:4317"));
    }

    #[test]
    fn a_retry_hint_carries_retry_info() {
        let s = retry_later("full".into(), Duration::from_secs(1));
        assert_eq!(s.code(), Code::Unavailable);
        let d = RpcStatus::decode(s.details()).unwrap();
        assert_eq!(d.details[0].type_url, "type.googleapis.com/google.rpc.RetryInfo");
        assert_eq!(RetryInfo::decode(d.details[0].value.as_slice()).unwrap().retry_delay.unwrap().seconds, 1);
    }
}
