//! What one export may cost, checked before the work is done, the same for
//! OTLP/HTTP and OTLP/gRPC:
//!
//! 1. its bytes, decompressed (`--max-body-mib`);
//! 2. its spans, counted on the wire before decoding (`--max-spans-per-request`);
//! 3. the memory of everything being read and decoded at once, across both
//!    transports (`--max-decode-mib`), like the OpenTelemetry Collector's
//!    `memory_limiter`: an export that does not fit now is told to retry
//!    (503 + `Retry-After`, `UNAVAILABLE` + `RetryInfo`); one that could never
//!    fit is refused for good (413, `RESOURCE_EXHAUSTED`).

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::cost::{self, Cost};
use super::decode::{Encoding, decode_logs_request, decode_request};

/// Spans per export by default: SDKs batch 512 (up to 2,048 when tuned) and
/// `loupe demo`/`loupe import` send 1,000, so this leaves room for hand-made
/// exports of 10,000 while refusing the millions of empty spans a small body
/// can hold.
pub const DEFAULT_MAX_SPANS: u64 = 20_000;

/// The budget is counted in KiB, so a semaphore's `u32` permits cover 4 TiB.
const UNIT: u64 = 1024;

#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest body, decompressed.
    pub max_body_bytes: usize,
    /// Most spans in one export.
    pub max_spans: u64,
    budget: Arc<Semaphore>,
    budget_bytes: u64,
}

/// Why an export is not decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not OTLP in the declared encoding (400, `INVALID_ARGUMENT`).
    Undecodable(String),
    /// More than the limits allow, whenever it is sent (413, `RESOURCE_EXHAUSTED`).
    TooLarge(String),
    /// The decode budget is in use by other exports: retry (503, `UNAVAILABLE`).
    Busy(String),
}

impl Refusal {
    /// The label of `loupe_otlp_spans_rejected_total` and friends.
    pub fn reason(&self) -> &'static str {
        match self {
            Refusal::Undecodable(_) => "undecodable",
            Refusal::TooLarge(_) => "too_large",
            Refusal::Busy(_) => "busy",
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Refusal::Undecodable(m) | Refusal::TooLarge(m) | Refusal::Busy(m) => m,
        }
    }
}

/// A share of the decode budget, given back when dropped.
pub struct Reservation(Option<OwnedSemaphorePermit>);

impl Reservation {
    pub fn none() -> Reservation {
        Reservation(None)
    }

    fn add(&mut self, more: OwnedSemaphorePermit) {
        match &mut self.0 {
            Some(p) => p.merge(more),
            None => self.0 = Some(more),
        }
    }

    /// Bytes held.
    pub fn bytes(&self) -> u64 {
        self.0.as_ref().map_or(0, |p| p.num_permits() as u64 * UNIT)
    }
}

impl Limits {
    pub fn new(max_body_bytes: usize, max_spans: u64, budget_bytes: u64) -> Limits {
        let units = (budget_bytes / UNIT).clamp(1, u64::from(u32::MAX >> 3));
        Limits { max_body_bytes, max_spans: max_spans.max(1), budget: Arc::new(Semaphore::new(units as usize)), budget_bytes: units * UNIT }
    }

    /// Budget bytes in use right now (for `/metrics`).
    pub fn budget_in_use(&self) -> u64 {
        self.budget_bytes - self.budget.available_permits() as u64 * UNIT
    }

    pub fn budget_bytes(&self) -> u64 {
        self.budget_bytes
    }

    /// Adds `bytes` to `held`, without waiting: a budget in use is an answer
    /// (retry later), not a queue.
    pub fn reserve(&self, held: &mut Reservation, bytes: u64) -> Result<(), Refusal> {
        let units = bytes.div_ceil(UNIT).max(1);
        if held.bytes() + units * UNIT > self.budget_bytes {
            return Err(Refusal::TooLarge(format!(
                "this export would take about {} MiB of memory to decode, more than the {} MiB Loupe gives all exports at once \
                 (--max-decode-mib); export smaller batches",
                (held.bytes() + bytes).div_ceil(1 << 20),
                self.budget_bytes >> 20
            )));
        }
        let permit = u32::try_from(units).ok().and_then(|u| self.budget.clone().try_acquire_many_owned(u).ok()).ok_or_else(|| {
            Refusal::Busy("Loupe is decoding as many exports as its memory budget allows (--max-decode-mib); retry shortly".into())
        })?;
        held.add(permit);
        Ok(())
    }

    /// The spans and decoded size of `bytes`, refused before decoding when over
    /// the limits; then the decoded request, with its share of the budget.
    pub fn decode(&self, encoding: Encoding, bytes: &[u8], held: &mut Reservation) -> Result<ExportTraceServiceRequest, Refusal> {
        let scanned = match encoding {
            Encoding::Protobuf => cost::protobuf(bytes),
            Encoding::Json => cost::json(bytes),
        };
        self.admit(encoding, scanned, "ExportTraceServiceRequest", "spans", held)?;
        decode_request(encoding, bytes).map_err(Refusal::Undecodable)
    }

    /// The same for an `ExportLogsServiceRequest`: its records count against
    /// `--max-spans-per-request` as spans do.
    pub fn decode_logs(&self, encoding: Encoding, bytes: &[u8], held: &mut Reservation) -> Result<ExportLogsServiceRequest, Refusal> {
        let scanned = match encoding {
            Encoding::Protobuf => cost::protobuf_logs(bytes),
            Encoding::Json => cost::json_logs(bytes),
        };
        self.admit(encoding, scanned, "ExportLogsServiceRequest", "log records", held)?;
        decode_logs_request(encoding, bytes).map_err(Refusal::Undecodable)
    }

    fn admit(
        &self,
        encoding: Encoding,
        scanned: Result<Cost, String>,
        message: &str,
        what: &str,
        held: &mut Reservation,
    ) -> Result<(), Refusal> {
        let format = if encoding == Encoding::Json { "JSON" } else { "protobuf" };
        let cost = scanned.map_err(|e| Refusal::Undecodable(format!("the body is not a valid OTLP {format} {message}: {e}")))?;
        if cost.records > self.max_spans {
            return Err(Refusal::TooLarge(format!(
                "this export holds {} {what}, more than the {} Loupe accepts in one request (--max-spans-per-request); \
                 export smaller batches (the SDKs' batch processors send 512 by default)",
                cost.records, self.max_spans
            )));
        }
        self.reserve(held, cost.decoded_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_shared_and_given_back() {
        let limits = Limits::new(1 << 20, 10, 4 << 20);
        let mut a = Reservation::none();
        limits.reserve(&mut a, 3 << 20).unwrap();
        assert_eq!(limits.budget_in_use(), 3 << 20);
        let mut b = Reservation::none();
        assert!(matches!(limits.reserve(&mut b, 2 << 20), Err(Refusal::Busy(_))));
        assert!(matches!(limits.reserve(&mut b, 5 << 20), Err(Refusal::TooLarge(m)) if m.contains("--max-decode-mib")));
        drop(a);
        limits.reserve(&mut b, 2 << 20).unwrap();
        limits.reserve(&mut b, 1 << 20).unwrap();
        assert_eq!(b.bytes(), 3 << 20);
    }

    #[test]
    fn spans_over_the_limit_are_refused_before_decoding() {
        let limits = Limits::new(1 << 20, 2, 64 << 20);
        let body = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{},{},{}]}]}]}"#;
        let err = limits.decode(Encoding::Json, body, &mut Reservation::none()).unwrap_err();
        assert!(matches!(&err, Refusal::TooLarge(m) if m.contains("3 spans") && m.contains("--max-spans-per-request")), "{err:?}");
        assert!(matches!(limits.decode(Encoding::Protobuf, &[0xff], &mut Reservation::none()), Err(Refusal::Undecodable(_))));
        let ok = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[]}]}]}"#;
        assert!(limits.decode(Encoding::Json, ok, &mut Reservation::none()).is_ok());
    }
}
