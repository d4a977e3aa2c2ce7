//! Distinct values of a list tag (services, models), for filter suggestions.

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;

impl Store {
    /// Up to `limit` distinct values of `tag`, in order. A skip-scan over the
    /// `trace_tags` primary key: one index seek per distinct value, however many
    /// traces carry each, so it stays fast at millions of traces.
    pub async fn tag_values(&self, tag: &str, limit: u32) -> Result<Vec<String>> {
        with_db!(self, db => {
            let values = sqlx::query_scalar(
                "WITH RECURSIVE v(value) AS ( \
                   SELECT MIN(value) FROM trace_tags WHERE tag = $1 \
                   UNION ALL \
                   SELECT (SELECT MIN(value) FROM trace_tags WHERE tag = $1 AND value > v.value) FROM v \
                   WHERE v.value IS NOT NULL \
                 ) SELECT value FROM v WHERE value IS NOT NULL LIMIT $2",
            )
            .bind(tag)
            .bind(limit as i64)
            .fetch_all(&db.read)
            .await?;
            Ok(values)
        })
    }
}
