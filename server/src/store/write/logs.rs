//! Log records in the writer's transaction: one multi-row statement per chunk on
//! SQLite, one `UNNEST` on PostgreSQL. A re-sent record (same key) is skipped.

use sqlx::postgres::{PgConnection, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnection};
use sqlx::{QueryBuilder, Row};

use crate::domain::{LogRecord, TraceId};
use crate::error::Result;
use crate::store::backend::{SMALL_ROWS_PER_STATEMENT, per_backend, push_in_list};

/// The log statements, once per backend.
pub(in crate::store) struct Logs<DB>(std::marker::PhantomData<DB>);

/// 17 columns a record: well under SQLite's 32,766 bound parameters.
const LOG_ROWS_PER_STATEMENT: usize = 1000;

const LOG_COLUMNS: &str = "key, time_ns, observed_ns, trace_id, span_id, severity_number, severity_text, service, resource_key, \
     scope, event_name, body, attributes, exception, content, content_policy, flags";

/// The record's columns as text, in [`LOG_COLUMNS`] order, but the integers.
struct Columns {
    text: [Option<String>; 13],
    int: [i64; 4],
}

fn columns(r: &LogRecord) -> Columns {
    Columns {
        text: [
            Some(r.key.clone()),
            r.trace_id().map(|t| t.to_string()),
            r.span_id().map(|s| s.to_string()),
            r.severity_text.clone(),
            Some(r.resource.service.clone()),
            Some(r.resource.key.clone()),
            r.scope.clone(),
            r.event_name.clone(),
            json(&r.body),
            json(&r.attributes),
            r.exception.as_ref().and_then(json),
            json(&r.content),
            Some(r.content_policy.as_str().to_string()),
        ],
        int: [r.time_ns, r.observed_ns, i64::from(r.severity_number), i64::from(r.flags)],
    }
}

fn json<T: serde::Serialize>(value: &T) -> Option<String> {
    Some(serde_json::to_string(value).expect("log columns serialize"))
}

/// The bytes a stored record takes as Loupe counts them (see `footprint`).
fn log_bytes(c: &Columns) -> i64 {
    c.text.iter().map(|t| t.as_ref().map_or(0, String::len) as i64).sum::<i64>() + 4 * 8 + super::footprint::LOG_ROW_OVERHEAD
}

impl Logs<Sqlite> {
    /// Inserts records, skipping keys already stored; returns how many were new
    /// and their bytes.
    pub async fn insert(conn: &mut SqliteConnection, logs: &[&LogRecord]) -> Result<(usize, i64)> {
        let (mut inserted, mut bytes) = (0, 0);
        for chunk in logs.chunks(LOG_ROWS_PER_STATEMENT) {
            let rows: Vec<Columns> = chunk.iter().map(|r| columns(r)).collect();
            let mut q = QueryBuilder::<Sqlite>::new(format!("INSERT INTO logs ({LOG_COLUMNS}) "));
            q.push_values(&rows, |mut b, c| {
                let [key, trace, span, severity_text, service, resource, scope, event, body, attributes, exception, content, policy] =
                    c.text.clone();
                let [time, observed, severity, flags] = c.int;
                b.push_bind(key)
                    .push_bind(time)
                    .push_bind(observed)
                    .push_bind(trace)
                    .push_bind(span)
                    .push_bind(severity)
                    .push_bind(severity_text)
                    .push_bind(service)
                    .push_bind(resource)
                    .push_bind(scope)
                    .push_bind(event)
                    .push_bind(body)
                    .push_bind(attributes)
                    .push_bind(exception)
                    .push_bind(content)
                    .push_bind(policy)
                    .push_bind(flags);
            });
            q.push(" ON CONFLICT (key) DO NOTHING RETURNING key");
            let returned: Vec<String> = q.build().fetch_all(&mut *conn).await?.iter().map(|r| r.get::<String, _>("key")).collect();
            inserted += returned.len();
            bytes += new_bytes(&rows, &returned);
        }
        Ok((inserted, bytes))
    }
}

impl Logs<Postgres> {
    pub async fn insert(conn: &mut PgConnection, logs: &[&LogRecord]) -> Result<(usize, i64)> {
        if logs.is_empty() {
            return Ok((0, 0));
        }
        let rows: Vec<Columns> = logs.iter().map(|r| columns(r)).collect();
        let mut text: [Vec<Option<String>>; 13] = Default::default();
        let mut int: [Vec<i64>; 4] = Default::default();
        for c in &rows {
            for (col, v) in text.iter_mut().zip(c.text.clone()) {
                col.push(v);
            }
            for (col, v) in int.iter_mut().zip(c.int) {
                col.push(v);
            }
        }
        let [key, trace, span, severity_text, service, resource, scope, event, body, attributes, exception, content, policy] = text;
        let [time, observed, severity, flags] = int;
        let returned: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO logs ({LOG_COLUMNS}) SELECT * FROM UNNEST(\
             $1::text[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::text[], $9::text[], \
             $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::int8[]) \
             ON CONFLICT (key) DO NOTHING RETURNING key"
        )))
        .bind(key)
        .bind(time)
        .bind(observed)
        .bind(trace)
        .bind(span)
        .bind(severity)
        .bind(severity_text)
        .bind(service)
        .bind(resource)
        .bind(scope)
        .bind(event)
        .bind(body)
        .bind(attributes)
        .bind(exception)
        .bind(content)
        .bind(policy)
        .bind(flags)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.get::<String, _>("key"))
        .collect();
        Ok((returned.len(), new_bytes(&rows, &returned)))
    }
}

per_backend! {
impl Logs {
    /// Deletes the records of `traces` (tail sampling dropped them).
    pub async fn delete_traces(conn: &mut Conn, traces: &[TraceId]) -> Result<()> {
        for chunk in traces.chunks(SMALL_ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<DB>::new("DELETE FROM logs WHERE trace_id IN ");
            push_in_list(&mut q, chunk.iter().map(|t| t.to_string()));
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    }
}
}

/// The bytes of the records a statement newly stored.
fn new_bytes(rows: &[Columns], returned: &[String]) -> i64 {
    let returned: std::collections::HashSet<&str> = returned.iter().map(String::as_str).collect();
    rows.iter().filter(|c| c.text[0].as_deref().is_some_and(|k| returned.contains(k))).map(log_bytes).sum()
}
