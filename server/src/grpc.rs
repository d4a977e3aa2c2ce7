//! OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export` on its
//! own port (4317 by default, `--grpc-addr`), gzip accepted. The same path as
//! OTLP/HTTP behind the transport: the access gate's ingest rule (checked from the
//! metadata before the message is read), the limits of [`crate::otlp::limits`],
//! `convert`, the bounded write queue, and an answer only once the spans are
//! committed. Refusals use the codes the OTLP specification gives exporters:
//! UNAUTHENTICATED, OUT_OF_RANGE above the size limit, RESOURCE_EXHAUSTED above
//! the span or decode limits, and UNAVAILABLE with a `RetryInfo` when the decode
//! budget is in use, the queue is full or storage failed (retryable; nothing from
//! the request was kept); invalid spans are named in a partial success.
//! <https://opentelemetry.io/docs/specs/otlp/#otlpgrpc-response>

use std::net::SocketAddr;
use std::time::Duration;

use opentelemetry_proto::tonic::collector::trace::v1::{ExportTracePartialSuccess, ExportTraceServiceResponse};
use prost::Message;
use tonic::codec::CompressionEncoding;
use tonic::{Code, Request, Response, Status};

use crate::auth::area::{Area, admits};
use crate::error::Error;
use crate::otlp::convert::convert;
use crate::otlp::decode::{Any, Encoding, RpcStatus};
use crate::otlp::limits::{Refusal, Reservation};
use crate::state::AppState;

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

/// `TraceService/Export`, written out instead of tonic's generated server so
/// that the key is checked from the request's metadata before its message is
/// read, and the message reaches [`Limits::decode`] as bytes: an export without
/// a valid key costs a header lookup, and one with a key is counted and priced
/// before any struct is built, as over HTTP.
#[derive(Clone)]
struct Export {
    state: AppState,
}

const EXPORT_PATH: &str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

impl tonic::server::NamedService for Export {
    const NAME: &'static str = "opentelemetry.proto.collector.trace.v1.TraceService";
}

impl<B> tower::Service<http::Request<B>> for Export
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>> + Send,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let state = self.state.clone();
        Box::pin(async move {
            if req.uri().path() != EXPORT_PATH {
                return Ok(
                    Status::unimplemented(format!("{} is not served here; Loupe takes TraceService/Export", req.uri().path())).into_http()
                );
            }
            // The gate's rule for /v1/traces: a key of any scope, or a session.
            let admitted = match state.auth.viewer(req.headers()).await {
                Ok(viewer) => admits(Area::Ingest, &viewer),
                Err(e) => Err(e),
            };
            if let Err(e) = admitted {
                state.metrics.export(401, 0, 0, 0, "");
                return Ok(Status::unauthenticated(e.to_string()).into_http());
            }
            let limit = state.otlp_limits.max_body_bytes;
            let mut grpc = tonic::server::Grpc::new(RawCodec)
                .accept_compressed(CompressionEncoding::Gzip)
                .send_compressed(CompressionEncoding::Gzip)
                // Messages are limited as OTLP/HTTP bodies are, decompressed; beyond it
                // the exporter gets OUT_OF_RANGE, which OTLP exporters do not retry.
                .max_decoding_message_size(limit);
            let handler = tower::service_fn(move |request: Request<bytes::Bytes>| {
                let state = state.clone();
                async move { export(&state, request.into_inner()).await }
            });
            Ok(grpc.unary(handler, req).await)
        })
    }
}

async fn export(state: &AppState, bytes: bytes::Bytes) -> Result<Response<ExportTraceServiceResponse>, Status> {
    let limits = &state.otlp_limits;
    let mut held = Reservation::none();
    let decoded = limits.reserve(&mut held, bytes.len() as u64).and_then(|()| limits.decode(Encoding::Protobuf, &bytes, &mut held));
    drop(bytes);
    let request = match decoded {
        Ok(r) => r,
        Err(r) => {
            tracing::warn!(message = r.message(), transport = "grpc", "refused an export");
            let (status, code) = match r {
                Refusal::Undecodable(_) => (400, Code::InvalidArgument),
                Refusal::TooLarge(_) => (413, Code::ResourceExhausted),
                Refusal::Busy(_) => (503, Code::Unavailable),
            };
            state.metrics.export(status, 0, 0, 0, r.reason());
            return Err(match code {
                Code::Unavailable => retry_later(r.message().to_string(), Duration::from_secs(1)),
                code => Status::new(code, r.message()),
            });
        }
    };
    let converted = convert(request);
    let received = converted.spans.len() as i64 + converted.rejected;
    let message = if converted.rejected > 0 { converted.message() } else { String::new() };
    match state.ingest.accept(converted.spans).await {
        Ok(stored) => {
            let rejected = received - stored as i64;
            state.metrics.export(200, received as u64, stored as u64, rejected as u64, "invalid");
            tracing::debug!(received, stored, rejected, transport = "grpc", "export committed");
            let partial_success = (rejected > 0).then_some(ExportTracePartialSuccess { rejected_spans: rejected, error_message: message });
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

/// Requests arrive as their bytes (decompressed, framing removed, within the
/// size limit); answers are prost-encoded.
#[derive(Clone, Copy)]
struct RawCodec;

struct RawDecoder;
struct ResponseEncoder;

impl tonic::codec::Codec for RawCodec {
    type Encode = ExportTraceServiceResponse;
    type Decode = bytes::Bytes;
    type Encoder = ResponseEncoder;
    type Decoder = RawDecoder;

    fn encoder(&mut self) -> ResponseEncoder {
        ResponseEncoder
    }

    fn decoder(&mut self) -> RawDecoder {
        RawDecoder
    }
}

impl tonic::codec::Decoder for RawDecoder {
    type Item = bytes::Bytes;
    type Error = Status;

    fn decode(&mut self, src: &mut tonic::codec::DecodeBuf<'_>) -> Result<Option<bytes::Bytes>, Status> {
        use bytes::Buf;
        Ok(Some(src.copy_to_bytes(src.remaining())))
    }
}

impl tonic::codec::Encoder for ResponseEncoder {
    type Item = ExportTraceServiceResponse;
    type Error = Status;

    fn encode(&mut self, item: ExportTraceServiceResponse, dst: &mut tonic::codec::EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst).map_err(|e| Status::internal(format!("encoding the answer: {e}")))
    }
}

/// Serves OTLP/gRPC on `listener` until `shutdown` resolves; in-flight exports
/// finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    tonic::transport::Server::builder()
        .add_service(Export { state })
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
