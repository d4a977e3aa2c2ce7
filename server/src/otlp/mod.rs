//! OTLP transport: decode requests, convert to [`crate::ingest::RawSpan`]s, answer
//! as the OTLP specification says. OTLP types stop here.
//! <https://opentelemetry.io/docs/specs/otlp/>

pub mod convert;
pub mod cost;
pub mod decode;
pub mod limits;
pub mod logs;
