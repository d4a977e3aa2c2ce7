//! `POST /v1/traces` and `POST /v1/logs`: OTLP/HTTP export, answered as the
//! OTLP specification says.
//!
//! 200 only after the spans (or log records) are committed; partial success names rejected ones;
//! 400 undecodable, 413 over a limit (bytes decompressed, spans, decoded size:
//! see [`crate::otlp::limits`]), 415 unknown content type, 503 + `Retry-After` when the
//! decode budget is in use, the write queue is full or storage failed (retryable).

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tower_http::decompression::RequestDecompressionLayer;

use crate::error::Error;
use crate::otlp::convert::convert;
use crate::otlp::decode::{Encoding, Signal, code, encode_signal_response, encode_status};
use crate::otlp::limits::{Limits, Refusal, Reservation};
use crate::otlp::logs::convert_logs;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/traces", post(export_traces))
        .route("/v1/logs", post(export_logs))
        // Decompression sits outside the size check, so the limit counts decompressed
        // bytes (a small gzip bomb is still refused).
        .layer(RequestDecompressionLayer::new())
        .layer(DefaultBodyLimit::disable())
}

/// What one export did to its spans or records, for the metrics.
#[derive(Default)]
pub(crate) struct Counts {
    pub received: u64,
    pub stored: u64,
    pub rejected: u64,
    pub reason: &'static str,
}

impl Counts {
    pub(crate) fn record(&self, state: &AppState, signal: Signal, status: u16) {
        match signal {
            Signal::Traces => state.metrics.export(status, self.received, self.stored, self.rejected, self.reason),
            Signal::Logs => state.metrics.export_logs(status, self.received, self.stored, self.rejected, self.reason),
        }
    }
}

async fn export_traces(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    export(state, Signal::Traces, headers, body).await
}

async fn export_logs(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    export(state, Signal::Logs, headers, body).await
}

async fn export(state: AppState, signal: Signal, headers: HeaderMap, body: Body) -> Response {
    let mut counts = Counts::default();
    let response = handle(&state, signal, &headers, body, &mut counts).await;
    counts.record(&state, signal, response.status().as_u16());
    response
}

/// An export that was stored: how many items it held and kept, and the
/// partial-success message for the rest.
pub(crate) struct Exported {
    pub received: i64,
    pub stored: usize,
    pub message: String,
}

/// Why an export was not stored.
pub(crate) enum Failed {
    Refused(Refusal),
    Overloaded { received: i64 },
    Storage { received: i64, error: Error },
}

/// Decodes (within the limits), converts and stores one export of `signal`;
/// the one path of OTLP/HTTP and OTLP/gRPC. `bytes` is dropped once decoded.
pub(crate) async fn ingest(
    state: &AppState,
    signal: Signal,
    encoding: Encoding,
    bytes: bytes::Bytes,
    held: &mut Reservation,
) -> Result<Exported, Failed> {
    let limits = &state.otlp_limits;
    let (received, message, stored) = match signal {
        Signal::Traces => {
            let request = limits.decode(encoding, &bytes, held).map_err(Failed::Refused)?;
            drop(bytes);
            let converted = convert(request);
            let received = converted.spans.len() as i64 + converted.rejected;
            let message = if converted.rejected > 0 { converted.message() } else { String::new() };
            (received, message, state.ingest.accept(converted.spans).await)
        }
        Signal::Logs => {
            let request = limits.decode_logs(encoding, &bytes, held).map_err(Failed::Refused)?;
            drop(bytes);
            let converted = convert_logs(request, crate::domain::now_ns());
            let received = converted.logs.len() as i64 + converted.rejected;
            let message = if converted.rejected > 0 { converted.message() } else { String::new() };
            (received, message, state.ingest.accept_logs(converted.logs).await)
        }
    };
    match stored {
        Ok(stored) => Ok(Exported { received, stored, message }),
        Err(Error::Overloaded) => Err(Failed::Overloaded { received }),
        Err(error) => Err(Failed::Storage { received, error }),
    }
}

async fn handle(state: &AppState, signal: Signal, headers: &HeaderMap, body: Body, counts: &mut Counts) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(encoding) = Encoding::from_content_type(content_type) else {
        let message = format!("unsupported Content-Type {content_type:?}: send application/x-protobuf or application/json (OTLP/HTTP)");
        return answer(Encoding::Json, StatusCode::UNSUPPORTED_MEDIA_TYPE, encode_status(Encoding::Json, code::INVALID_ARGUMENT, &message));
    };
    let status = |status: StatusCode, rpc: i32, message: &str| answer(encoding, status, encode_status(encoding, rpc, message));

    let mut held = Reservation::none();
    let bytes = match read_body(&state.otlp_limits, body, &mut held).await {
        Ok(bytes) => bytes,
        Err(BodyError::Refused(r)) => {
            counts.reason = r.reason();
            return refusal_answer(encoding, &r);
        }
        Err(BodyError::Unreadable(e)) => {
            let message = format!("could not read the request body (is the Content-Encoding right?): {e}");
            return status(StatusCode::BAD_REQUEST, code::INVALID_ARGUMENT, &message);
        }
    };
    let size = bytes.len();
    match ingest(state, signal, encoding, bytes, &mut held).await {
        Ok(Exported { received, stored, message }) => {
            let rejected = received - stored as i64;
            (counts.received, counts.stored, counts.rejected, counts.reason) = (received as u64, stored as u64, rejected as u64, "invalid");
            tracing::debug!(signal = signal.as_str(), received, stored, rejected, "export committed");
            if !message.is_empty() {
                tracing::warn!(signal = signal.as_str(), %message, "partial success");
            }
            answer(encoding, StatusCode::OK, encode_signal_response(signal, encoding, rejected, &message))
        }
        Err(Failed::Refused(r)) => {
            tracing::warn!(signal = signal.as_str(), message = r.message(), bytes = size, "refused an export");
            counts.reason = r.reason();
            refusal_answer(encoding, &r)
        }
        Err(Failed::Overloaded { received }) => {
            (counts.received, counts.rejected, counts.reason) = (received as u64, received as u64, "overloaded");
            tracing::warn!(signal = signal.as_str(), received, "write queue full; asked the client to retry");
            let mut response = status(StatusCode::SERVICE_UNAVAILABLE, code::UNAVAILABLE, &Error::Overloaded.to_string());
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            response
        }
        Err(Failed::Storage { received, error }) => {
            (counts.received, counts.rejected, counts.reason) = (received as u64, received as u64, "storage");
            tracing::error!(signal = signal.as_str(), error = %error, received, "export not stored");
            let message = format!("{error}; nothing from this request was stored, retry");
            let mut response = status(StatusCode::SERVICE_UNAVAILABLE, code::UNAVAILABLE, &message);
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            response
        }
    }
}

/// A refusal before the body is read (the access gate's 401 and 403), as a
/// `google.rpc.Status` in the encoding the request declared.
pub fn refusal(headers: &HeaderMap, status: StatusCode, message: &str) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let encoding = Encoding::from_content_type(content_type).unwrap_or(Encoding::Json);
    let rpc = if status == StatusCode::UNAUTHORIZED { code::UNAUTHENTICATED } else { code::PERMISSION_DENIED };
    answer(encoding, status, encode_status(encoding, rpc, message))
}

fn answer(encoding: Encoding, status: StatusCode, body: Vec<u8>) -> Response {
    (status, [(header::CONTENT_TYPE, encoding.content_type())], body).into_response()
}

enum BodyError {
    Refused(Refusal),
    Unreadable(axum::Error),
}

/// Reads the (decompressed) body, taking its bytes from the decode budget as
/// they arrive: many slow or large uploads at once cannot add up past it.
async fn read_body(limits: &Limits, body: Body, held: &mut Reservation) -> Result<bytes::Bytes, BodyError> {
    let mut body = body.into_data_stream();
    let mut buf = bytes::BytesMut::new();
    while let Some(chunk) = futures::StreamExt::next(&mut body).await {
        let chunk = chunk.map_err(BodyError::Unreadable)?;
        if buf.len() + chunk.len() > limits.max_body_bytes {
            return Err(BodyError::Refused(Refusal::TooLarge(format!(
                "the request body is larger than {} bytes decompressed; export smaller batches or raise --max-body-mib",
                limits.max_body_bytes
            ))));
        }
        let wanted = (buf.len() + chunk.len()) as u64;
        if wanted > held.bytes() {
            // In steps of 256 KiB, so a large body takes few permits.
            limits.reserve(held, (wanted - held.bytes()).max(256 << 10).min(limits.max_body_bytes as u64)).map_err(BodyError::Refused)?;
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// 400, 413 or 503 + `Retry-After` for an export refused before decoding.
fn refusal_answer(encoding: Encoding, r: &Refusal) -> Response {
    let (status, rpc) = match r {
        Refusal::Undecodable(_) => (StatusCode::BAD_REQUEST, code::INVALID_ARGUMENT),
        Refusal::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, code::RESOURCE_EXHAUSTED),
        Refusal::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, code::UNAVAILABLE),
    };
    let mut response = answer(encoding, status, encode_status(encoding, rpc, r.message()));
    if matches!(r, Refusal::Busy(_)) {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    }
    response
}
