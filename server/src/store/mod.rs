//! Storage: SQLite (the default, one file) or PostgreSQL, through sqlx. One file
//! per concern, in three rooms: `write/` (the ingest writer's batches and the
//! rollups it keeps), `read/` (the queries behind pages and the API) and `admin/`
//! (accounts, keys, rules, shares, prices, jobs, retention); nothing outside this module sees sqlx, and `backend` lets each query
//! be written once for both. Reads go through a pool; span writes go through the
//! one connection that `ingest::writer` owns (SQLite allows one writer at a time,
//! so one writer task committing batches beats many contending ones; on PostgreSQL
//! each replica has its own writer).

mod admin;
pub(crate) mod backend;
mod detail;
mod handle;
mod read;
mod write;

pub use admin::alert_firing::{Firing, OpenEvent};
pub use admin::alerts::{NewEvent, RecentSpan};
pub use admin::api_keys::NewKey;
pub use admin::jobs::JobLease;
pub use admin::retention::{LogCut, RetentionStats, Services as RetentionServices};
pub use handle::{Store, redact_url};
pub use read::cost_query::CostQuery;
pub use read::filter::{ListQuery, ParsedQuery, parse_kind, parse_range, parse_status};
pub use read::latency::LatencyQuery;
pub use read::logs::{LogQuery, MAX_TRACE_LOGS, TraceScope};
pub use write::batch::{BatchReport, Pending, WriteConn};
pub use write::sampling::{PendingLog, PendingSpan, PendingTrace, TakenTrace};
