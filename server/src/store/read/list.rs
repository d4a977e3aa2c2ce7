//! The trace list: newest first, keyset-paginated, filtered on the summary rows.

use std::collections::HashMap;

use sqlx::QueryBuilder;

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;
use crate::store::read::filter::{ParsedQuery, make_cursor};
use crate::store::read::tokens::TokenColumns;
use app::model::{TracePage, TraceSummary};

/// Which way a page walks from its cursor.
#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Older,
    Newer,
}

impl Store {
    /// One page of traces matching `query`, newest first.
    pub async fn list_traces(&self, query: &ParsedQuery) -> Result<TracePage> {
        let mut page = if query.newer.is_some() {
            let (mut traces, more_newer) = self.fetch(query, Direction::Newer).await?;
            if !more_newer {
                // Back at the top: show the newest page in full, as a fresh visit would.
                let first = ParsedQuery { newer: None, ..query.clone() };
                return Box::pin(self.list_traces(&first)).await;
            }
            traces.reverse();
            let prev_cursor = traces.first().map(cursor_of);
            let next_cursor = traces.last().map(cursor_of);
            TracePage { traces, next_cursor, prev_cursor }
        } else {
            let (traces, more_older) = self.fetch(query, Direction::Older).await?;
            // The slowest traces are one page: a start-time cursor would not continue it.
            let next_cursor = if more_older && !query.slowest { traces.last().map(cursor_of) } else { None };
            // A page reached by a cursor has newer traces before it.
            let prev_cursor = if query.cursor.is_some() { traces.first().map(cursor_of) } else { None };
            TracePage { traces, next_cursor, prev_cursor }
        };
        self.attach_models(&mut page.traces).await?;
        Ok(page)
    }

    /// Up to `limit` traces walking from the cursor in `direction`, and whether more follow.
    async fn fetch(&self, query: &ParsedQuery, direction: Direction) -> Result<(Vec<TraceSummary>, bool)> {
        with_db!(self, db => {
            let tags: Vec<(&str, &String)> =
                [("service", &query.service), ("model", &query.model), ("user", &query.user), ("session", &query.session)]
                    .into_iter()
                    .filter_map(|(tag, value)| value.as_ref().map(|v| (tag, v)))
                    .collect();
            let mut q = QueryBuilder::<DB>::new(
                "SELECT t.trace_id, t.root_name, t.service, t.root_span_id IS NOT NULL AS has_root, t.start_ns, t.end_ns, \
                 t.duration_ns, t.span_count, t.error_count, t.input_tokens, t.output_tokens, t.cache_read_tokens, \
                 t.cache_write_tokens, t.reasoning_tokens, t.total_tokens, t.cost_usd, t.unpriced ",
            );
            // The walk in start order: the traces index, or, with a tag filter, that
            // tag's range of trace_tags (CROSS JOIN keeps it the outer loop).
            let order = match tags.first() {
                Some((tag, value)) => {
                    q.push(format!("FROM trace_tags g {} traces t ON t.trace_id = g.trace_id WHERE g.tag = ", D.ordered_join()))
                        .push_bind(*tag)
                        .push(" AND g.value = ")
                        .push_bind((*value).clone());
                    "g"
                }
                None => {
                    q.push("FROM traces t WHERE 1 = 1");
                    "t"
                }
            };
            let (bound, cmp) = match direction {
                Direction::Older => (&query.cursor, "<"),
                Direction::Newer => (&query.newer, ">"),
            };
            if let Some((start, id)) = bound {
                q.push(format!(" AND ({order}.start_ns, {order}.trace_id) {cmp} ("))
                    .push_bind(*start)
                    .push(", ")
                    .push_bind(id.clone())
                    .push(")");
            }
            if let Some(since) = query.since_ns {
                q.push(format!(" AND {order}.start_ns >= ")).push_bind(since);
            }
            if let Some(until) = query.until_ns {
                q.push(format!(" AND {order}.start_ns < ")).push_bind(until);
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
            for (tag, value) in tags.iter().skip(1) {
                q.push(" AND EXISTS (SELECT 1 FROM trace_tags x WHERE x.trace_id = t.trace_id AND x.tag = ")
                    .push_bind(*tag)
                    .push(" AND x.value = ")
                    .push_bind((*value).clone())
                    .push(")");
            }
            if let Some(text) = &query.text {
                let pattern = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                let like = D.ilike();
                q.push(format!(" AND (t.root_name {like} "))
                    .push_bind(pattern.clone())
                    // `s.start_ns >= t.start_ns` is always true (a trace starts with its
                    // first span); it keeps PostgreSQL from hashing the subquery over
                    // every span, so it checks the traces it walks and stops at the limit.
                    .push(format!(
                        " ESCAPE '\\' OR EXISTS (SELECT 1 FROM spans s WHERE s.trace_id = t.trace_id AND s.start_ns >= t.start_ns \
                         AND s.name {like} "
                    ))
                    .push_bind(pattern)
                    .push(" ESCAPE '\\'))");
            }
            // One extra row tells whether another page follows.
            if query.slowest {
                q.push(" ORDER BY t.duration_ns DESC, t.trace_id LIMIT ").push_bind(query.limit as i64 + 1);
            } else {
                let sort = if direction == Direction::Older { "DESC" } else { "ASC" };
                q.push(format!(" ORDER BY {order}.start_ns {sort}, {order}.trace_id {sort} LIMIT ")).push_bind(query.limit as i64 + 1);
            }
            let rows = q.build_query_as::<SummaryRow>().fetch_all(&db.read).await?;
            let mut traces: Vec<TraceSummary> = rows.into_iter().map(TraceSummary::from).collect();
            let more = traces.len() > query.limit as usize;
            traces.truncate(query.limit as usize);
            Ok((traces, more))
        })
    }

    async fn attach_models(&self, traces: &mut [TraceSummary]) -> Result<()> {
        with_db!(self, db => {
            if traces.is_empty() {
                return Ok(());
            }
            let mut q = QueryBuilder::<DB>::new(format!(
                "SELECT trace_id, value FROM trace_tags{} WHERE tag = 'model' AND trace_id IN (",
                D.indexed_by("trace_tags_by_trace")
            ));
            let mut ids = q.separated(", ");
            for t in traces.iter() {
                ids.push_bind(t.trace_id.clone());
            }
            q.push(") ORDER BY value");
            let mut models: HashMap<String, Vec<String>> = HashMap::new();
            for (trace_id, value) in q.build_query_as::<(String, String)>().fetch_all(&db.read).await? {
                models.entry(trace_id).or_default().push(value);
            }
            for t in traces.iter_mut() {
                t.models = models.remove(&t.trace_id).unwrap_or_default();
            }
            Ok(())
        })
    }
}

fn cursor_of(t: &TraceSummary) -> String {
    make_cursor(t.start_ns, &t.trace_id)
}

/// A trace summary row as the list selects it.
#[derive(sqlx::FromRow)]
struct SummaryRow {
    trace_id: String,
    root_name: String,
    service: String,
    has_root: bool,
    start_ns: i64,
    end_ns: i64,
    duration_ns: i64,
    span_count: i64,
    error_count: i64,
    #[sqlx(flatten)]
    tokens: TokenColumns,
    cost_usd: f64,
    unpriced: i64,
}

impl From<SummaryRow> for TraceSummary {
    fn from(r: SummaryRow) -> TraceSummary {
        TraceSummary {
            trace_id: r.trace_id,
            root_name: r.root_name,
            service: r.service,
            has_root: r.has_root,
            start_ns: r.start_ns,
            end_ns: r.end_ns,
            duration_ns: r.duration_ns,
            span_count: r.span_count,
            error_count: r.error_count,
            tokens: r.tokens.into(),
            models: Vec::new(),
            cost_usd: r.cost_usd,
            unpriced: r.unpriced,
        }
    }
}
