//! The one read path. The JSON API (`http/`), the pages' data source (`pages/`)
//! and MCP ask [`Reader`] and get the `app::model` types the UI and the API
//! share, so every face states the same facts with the same messages. Ids come in
//! as clients send them and are parsed here, once.

mod brief;
mod logs;
mod reader;
mod settings;
mod stats;
mod traces;

pub use brief::{MAX_SPANS_PAGE, SpanMatch, SpanMatches, SpanSearch};
pub use logs::MAX_SPAN_LOGS;
pub use reader::Reader;
