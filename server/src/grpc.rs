//! OTLP/gRPC: `opentelemetry.proto.collector.trace.v1.TraceService/Export` and
//! `opentelemetry.proto.collector.logs.v1.LogsService/Export` on their
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

use prost::Message;
use tonic::codec::CompressionEncoding;
use tonic::{Code, Request, Response, Status};

use crate::auth::area::{Area, admits};
use crate::error::Error;
use crate::http::otlp::{Counts, Exported, Failed, ingest};
use crate::otlp::decode::{Any, Encoding, PartialSuccessResponse, RpcStatus, Signal};
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

/// The two export services Loupe takes over gRPC.
trait Service: Send + Sync + 'static {
    const NAME: &'static str;
    const PATH: &'static str;
    const SIGNAL: Signal;
}

struct Traces;
impl Service for Traces {
    const NAME: &'static str = "opentelemetry.proto.collector.trace.v1.TraceService";
    const PATH: &'static str = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    const SIGNAL: Signal = Signal::Traces;
}

struct Logs;
impl Service for Logs {
    const NAME: &'static str = "opentelemetry.proto.collector.logs.v1.LogsService";
    const PATH: &'static str = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
    const SIGNAL: Signal = Signal::Logs;
}

/// `TraceService/Export` and `LogsService/Export`, written out instead of
/// tonic's generated servers so that the key is checked from the request's
/// metadata before its message is read, and the message reaches the limits
/// as bytes: an export without a valid key costs a header lookup, and one with
/// a key is counted and priced before any struct is built, as over HTTP.
struct Export<S> {
    state: AppState,
    _service: std::marker::PhantomData<S>,
}

impl<S> Clone for Export<S> {
    fn clone(&self) -> Self {
        Export { state: self.state.clone(), _service: std::marker::PhantomData }
    }
}

impl<S: Service> tonic::server::NamedService for Export<S> {
    const NAME: &'static str = S::NAME;
}

impl<S: Service, B> tower::Service<http::Request<B>> for Export<S>
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
            if req.uri().path() != S::PATH {
                let message = format!("{} is not served here; Loupe takes TraceService/Export and LogsService/Export", req.uri().path());
                return Ok(Status::unimplemented(message).into_http());
            }
            // The gate's rule for /v1/traces and /v1/logs: a key of any scope, or a session.
            let admitted = match state.auth.viewer(req.headers()).await {
                Ok(viewer) => admits(Area::Ingest, &viewer),
                Err(e) => Err(e),
            };
            if let Err(e) = admitted {
                Counts::default().record(&state, S::SIGNAL, 401);
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
                async move { export(&state, S::SIGNAL, request.into_inner()).await }
            });
            Ok(grpc.unary(handler, req).await)
        })
    }
}

async fn export(state: &AppState, signal: Signal, bytes: bytes::Bytes) -> Result<Response<PartialSuccessResponse>, Status> {
    let mut counts = Counts::default();
    let mut held = Reservation::none();
    let what = signal.as_str();
    let outcome = match state.otlp_limits.reserve(&mut held, bytes.len() as u64) {
        Ok(()) => ingest(state, signal, Encoding::Protobuf, bytes, &mut held).await,
        Err(r) => Err(Failed::Refused(r)),
    };
    let (status, answer) = match outcome {
        Ok(Exported { received, stored, message }) => {
            let rejected = received - stored as i64;
            (counts.received, counts.stored, counts.rejected, counts.reason) = (received as u64, stored as u64, rejected as u64, "invalid");
            tracing::debug!(signal = what, received, stored, rejected, transport = "grpc", "export committed");
            (200, Ok(Response::new(PartialSuccessResponse::new(rejected, &message))))
        }
        Err(Failed::Refused(r)) => {
            tracing::warn!(signal = what, message = r.message(), transport = "grpc", "refused an export");
            counts.reason = r.reason();
            match r {
                Refusal::Undecodable(m) => (400, Err(Status::new(Code::InvalidArgument, m))),
                Refusal::TooLarge(m) => (413, Err(Status::new(Code::ResourceExhausted, m))),
                Refusal::Busy(m) => (503, Err(retry_later(m, Duration::from_secs(1)))),
            }
        }
        Err(Failed::Overloaded { received }) => {
            (counts.received, counts.rejected, counts.reason) = (received as u64, received as u64, "overloaded");
            tracing::warn!(signal = what, received, transport = "grpc", "write queue full; asked the client to retry");
            (503, Err(retry_later(Error::Overloaded.to_string(), Duration::from_secs(1))))
        }
        Err(Failed::Storage { received, error }) => {
            (counts.received, counts.rejected, counts.reason) = (received as u64, received as u64, "storage");
            tracing::error!(signal = what, error = %error, received, transport = "grpc", "export not stored");
            (503, Err(retry_later(format!("{error}; nothing from this request was stored, retry"), Duration::from_secs(5))))
        }
    };
    counts.record(state, signal, status);
    answer
}

/// Requests arrive as their bytes (decompressed, framing removed, within the
/// size limit); answers are prost-encoded.
#[derive(Clone, Copy)]
struct RawCodec;

struct RawDecoder;
struct ResponseEncoder;

impl tonic::codec::Codec for RawCodec {
    type Encode = PartialSuccessResponse;
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
    type Item = PartialSuccessResponse;
    type Error = Status;

    fn encode(&mut self, item: PartialSuccessResponse, dst: &mut tonic::codec::EncodeBuf<'_>) -> Result<(), Status> {
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
        .add_service(Export::<Traces> { state: state.clone(), _service: std::marker::PhantomData })
        .add_service(Export::<Logs> { state, _service: std::marker::PhantomData })
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
