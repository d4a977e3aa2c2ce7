//! Traces as MCP resources, for clients that browse or let users attach one
//! (`@loupe:loupe://traces/{id}`): the newest traces are listed, any trace is
//! readable through the template, and reading one gives its brief (Markdown).

use rmcp::ErrorData;
use rmcp::model::{ListResourceTemplatesResult, ListResourcesResult, ReadResourceResult, Resource, ResourceContents, ResourceTemplate};

use super::server::LoupeMcp;
use crate::store::ListQuery;

const SCHEME: &str = "loupe://traces/";
/// Traces listed as resources: the newest ones (search_traces finds the rest).
const LISTED: u32 = 25;

fn failed(e: crate::error::Error) -> ErrorData {
    if e.is_client_error() {
        ErrorData::resource_not_found(e.to_string(), None)
    } else {
        ErrorData::internal_error("Loupe could not read its traces", None)
    }
}

impl LoupeMcp {
    pub(super) async fn trace_resources(&self) -> Result<ListResourcesResult, ErrorData> {
        let query = ListQuery { limit: Some(LISTED.to_string()), ..ListQuery::default() };
        let page = self.state.read().traces(query).await.map_err(failed)?;
        let items = page
            .traces
            .iter()
            .map(|t| {
                let errors = if t.error_count > 0 { format!(", {} failed spans", t.error_count) } else { String::new() };
                Resource::new(format!("{SCHEME}{}", t.trace_id), format!("{} ({})", t.root_name, t.service))
                    .with_description(format!(
                        "{} at {}, {} spans{errors}: the trace's brief",
                        app::format::duration(t.duration_ns),
                        app::format::utc(t.start_ns),
                        t.span_count
                    ))
                    .with_mime_type("text/markdown")
            })
            .collect();
        Ok(ListResourcesResult::with_all_items(items))
    }

    pub(super) fn trace_template() -> ListResourceTemplatesResult {
        ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(format!("{SCHEME}{{trace_id}}"), "trace")
                .with_title("A trace's brief")
                .with_description("The brief of one trace (as get_trace returns it), by its 32-hex-character trace id")
                .with_mime_type("text/markdown"),
        ])
    }

    pub(super) async fn read_trace(&self, uri: &str) -> Result<ReadResourceResult, ErrorData> {
        let Some(id) = uri.strip_prefix(SCHEME) else {
            return Err(ErrorData::resource_not_found(format!("Loupe's resources are {SCHEME}{{trace_id}}, not {uri:?}"), None));
        };
        let brief = self.state.read().brief(id).await.map_err(failed)?;
        let text = crate::brief::render(&brief);
        Ok(ReadResourceResult::new(vec![ResourceContents::TextResourceContents {
            uri: uri.to_string(),
            mime_type: Some("text/markdown".into()),
            text,
            meta: None,
        }]))
    }
}
