//! Log records in the writer's transaction: one multi-row statement per chunk on
//! SQLite, one `UNNEST` on PostgreSQL. A re-sent record (same key) is skipped.

use sqlx::postgres::{PgConnection, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnection};
use sqlx::{QueryBuilder, Row};

use crate::domain::LogRecord;
use crate::error::Result;

/// The log statements, once per backend.
pub(in crate::store) struct Logs<DB>(std::marker::PhantomData<DB>);

/// 18 columns a record: well under SQLite's 32,766 bound parameters.
const LOG_ROWS_PER_STATEMENT: usize = 1000;

const LOG_COLUMNS: &str = "key, time_ns, observed_ns, trace_id, span_id, severity_number, severity_text, service, resource_key, \
     scope, event_name, body, attributes, exception, content, content_policy, flags, bytes";

/// The record's columns as text, in [`LOG_COLUMNS`] order, but the integers.
struct Columns {
    text: [Option<String>; 13],
    /// Time, observed time, severity, flags, and the bytes it counts for.
    int: [i64; 5],
}

fn columns(r: &LogRecord) -> Columns {
    let mut c = Columns {
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
        int: [r.time_ns, r.observed_ns, i64::from(r.severity_number), i64::from(r.flags), 0],
    };
    c.int[4] = log_bytes(&c);
    c
}

fn json<T: serde::Serialize>(value: &T) -> Option<String> {
    Some(serde_json::to_string(value).expect("log columns serialize"))
}

/// The bytes a stored record takes as Loupe counts them (see `footprint`).
fn log_bytes(c: &Columns) -> i64 {
    c.text.iter().map(|t| t.as_ref().map_or(0, String::len) as i64).sum::<i64>() + 5 * 8 + super::footprint::LOG_ROW_OVERHEAD
}

impl Logs<Sqlite> {
    /// Inserts records, skipping keys already stored; returns the positions of
    /// the new ones and their bytes.
    pub async fn insert(conn: &mut SqliteConnection, logs: &[&LogRecord]) -> Result<NewLogs> {
        let mut new = NewLogs::default();
        for (i, chunk) in logs.chunks(LOG_ROWS_PER_STATEMENT).enumerate() {
            let rows: Vec<Columns> = chunk.iter().map(|r| columns(r)).collect();
            let mut q = QueryBuilder::<Sqlite>::new(format!("INSERT INTO logs ({LOG_COLUMNS}) "));
            q.push_values(&rows, |mut b, c| {
                let [key, trace, span, severity_text, service, resource, scope, event, body, attributes, exception, content, policy] =
                    c.text.clone();
                let [time, observed, severity, flags, bytes] = c.int;
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
                    .push_bind(flags)
                    .push_bind(bytes);
            });
            q.push(" ON CONFLICT (key) DO NOTHING RETURNING key");
            let returned: Vec<String> = q.build().fetch_all(&mut *conn).await?.iter().map(|r| r.get::<String, _>("key")).collect();
            new.add(&rows, &returned, i * LOG_ROWS_PER_STATEMENT);
        }
        Ok(new)
    }
}

impl Logs<Postgres> {
    pub async fn insert(conn: &mut PgConnection, logs: &[&LogRecord]) -> Result<NewLogs> {
        let mut new = NewLogs::default();
        if logs.is_empty() {
            return Ok(new);
        }
        let rows: Vec<Columns> = logs.iter().map(|r| columns(r)).collect();
        let mut text: [Vec<Option<String>>; 13] = Default::default();
        let mut int: [Vec<i64>; 5] = Default::default();
        for c in &rows {
            for (col, v) in text.iter_mut().zip(c.text.clone()) {
                col.push(v);
            }
            for (col, v) in int.iter_mut().zip(c.int) {
                col.push(v);
            }
        }
        let [key, trace, span, severity_text, service, resource, scope, event, body, attributes, exception, content, policy] = text;
        let [time, observed, severity, flags, bytes] = int;
        let returned: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO logs ({LOG_COLUMNS}) SELECT * FROM UNNEST(\
             $1::text[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::int8[], $7::text[], $8::text[], $9::text[], \
             $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::int8[], $18::int8[]) \
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
        .bind(bytes)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.get::<String, _>("key"))
        .collect();
        new.add(&rows, &returned, 0);
        Ok(new)
    }
}

/// The records an insert newly stored (not re-sent ones).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NewLogs {
    /// Their positions in the records given.
    pub positions: Vec<usize>,
    /// Their bytes as the footprint counts them.
    pub bytes: i64,
}

impl NewLogs {
    /// Adds the rows of one statement (starting at `offset`) whose keys it returned.
    fn add(&mut self, rows: &[Columns], returned: &[String], offset: usize) {
        let returned: std::collections::HashSet<&str> = returned.iter().map(String::as_str).collect();
        for (i, c) in rows.iter().enumerate() {
            if c.text[0].as_deref().is_some_and(|k| returned.contains(k)) {
                self.positions.push(offset + i);
                self.bytes += c.int[4];
            }
        }
    }
}
