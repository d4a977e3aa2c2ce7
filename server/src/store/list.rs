//! The trace list: newest first, keyset-paginated, filtered on the summary rows.

use std::collections::HashMap;

use sqlx::sqlite::{Sqlite, SqliteRow};
use sqlx::{QueryBuilder, Row};

use super::Store;
use super::filter::{ParsedQuery, make_cursor};
use crate::domain::Tokens;
use crate::error::Result;
use app::model::{TracePage, TraceSummary};

impl Store {
    /// One page of traces matching `query`, newest first.
    pub async fn list_traces(&self, query: &ParsedQuery) -> Result<TracePage> {
        let mut q = QueryBuilder::<Sqlite>::new(
            "SELECT trace_id, root_name, service, root_span_id IS NOT NULL, start_ns, end_ns, duration_ns, \
             span_count, error_count, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, \
             reasoning_tokens, total_tokens FROM traces t WHERE 1 = 1",
        );
        if let Some((start, id)) = &query.cursor {
            q.push(" AND (t.start_ns, t.trace_id) < (").push_bind(*start).push(", ").push_bind(id.clone()).push(")");
        }
        if let Some(since) = query.since_ns {
            q.push(" AND t.start_ns >= ").push_bind(since);
        }
        if let Some(until) = query.until_ns {
            q.push(" AND t.start_ns < ").push_bind(until);
        }
        match query.errors_only {
            Some(true) => q.push(" AND t.error_count > 0"),
            Some(false) => q.push(" AND t.error_count = 0"),
            None => &mut q,
        };
        if let Some(min) = query.min_duration_ns {
            q.push(" AND t.duration_ns >= ").push_bind(min);
        }
        if let Some(kind) = query.kind {
            q.push(" AND (t.kinds & ").push_bind(kind.bit()).push(") != 0");
        }
        for (tag, value) in [("service", &query.service), ("model", &query.model), ("user", &query.user), ("session", &query.session)] {
            if let Some(value) = value {
                q.push(" AND t.trace_id IN (SELECT trace_id FROM trace_tags WHERE tag = ")
                    .push_bind(tag)
                    .push(" AND value = ")
                    .push_bind(value.clone())
                    .push(")");
            }
        }
        if let Some(text) = &query.text {
            let pattern = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            q.push(" AND (t.root_name LIKE ")
                .push_bind(pattern.clone())
                .push(" ESCAPE '\\' OR EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.name LIKE ")
                .push_bind(pattern)
                .push(" ESCAPE '\\'))");
        }
        // One extra row tells whether there is an older page.
        q.push(" ORDER BY t.start_ns DESC, t.trace_id DESC LIMIT ").push_bind(query.limit as i64 + 1);
        let rows = q.build().fetch_all(&self.pool).await?;
        let mut traces: Vec<TraceSummary> = rows.iter().map(summary).collect();
        let next_cursor = if traces.len() > query.limit as usize {
            traces.truncate(query.limit as usize);
            traces.last().map(|t| make_cursor(t.start_ns, &t.trace_id))
        } else {
            None
        };
        self.attach_models(&mut traces).await?;
        Ok(TracePage { traces, next_cursor })
    }

    async fn attach_models(&self, traces: &mut [TraceSummary]) -> Result<()> {
        if traces.is_empty() {
            return Ok(());
        }
        let mut q = QueryBuilder::<Sqlite>::new("SELECT trace_id, value FROM trace_tags WHERE tag = 'model' AND trace_id IN (");
        let mut ids = q.separated(", ");
        for t in traces.iter() {
            ids.push_bind(t.trace_id.clone());
        }
        q.push(") ORDER BY value");
        let mut models: HashMap<String, Vec<String>> = HashMap::new();
        for row in q.build().fetch_all(&self.pool).await? {
            models.entry(row.get(0)).or_default().push(row.get(1));
        }
        for t in traces.iter_mut() {
            t.models = models.remove(&t.trace_id).unwrap_or_default();
        }
        Ok(())
    }
}

fn summary(r: &SqliteRow) -> TraceSummary {
    TraceSummary {
        trace_id: r.get(0),
        root_name: r.get(1),
        service: r.get(2),
        has_root: r.get(3),
        start_ns: r.get(4),
        end_ns: r.get(5),
        duration_ns: r.get(6),
        span_count: r.get(7),
        error_count: r.get(8),
        tokens: Tokens {
            input: r.get(9),
            output: r.get(10),
            cache_read: r.get(11),
            cache_write: r.get(12),
            reasoning: r.get(13),
            total: r.get(14),
        },
        models: Vec::new(),
    }
}
