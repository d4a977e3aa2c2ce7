//! Share links (through the admin pool for writes, like alert rules).

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::Store;
use crate::error::Result;
use app::model::share::{ShareLink, ShareState};

fn link(r: &SqliteRow, now_ns: i64) -> ShareLink {
    let (expires_ns, revoked_ns): (i64, Option<i64>) = (r.get(3), r.get(4));
    let state = if revoked_ns.is_some() {
        ShareState::Revoked
    } else if now_ns >= expires_ns {
        ShareState::Expired
    } else {
        ShareState::Active
    };
    ShareLink { id: r.get(0), trace_id: r.get(1), created_ns: r.get(2), expires_ns, revoked_ns, state }
}

impl Store {
    pub async fn insert_share(&self, token_hash: &str, trace_id: &str, now: i64, expires_ns: i64) -> Result<ShareLink> {
        let done = sqlx::query("INSERT INTO share_links (token_hash, trace_id, created_ns, expires_ns) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(trace_id)
            .bind(now)
            .bind(expires_ns)
            .execute(&self.admin)
            .await?;
        Ok(ShareLink { id: done.last_insert_rowid(), trace_id: trace_id.into(), created_ns: now, expires_ns, revoked_ns: None, state: ShareState::Active })
    }

    /// Whether any span of the trace is stored.
    pub async fn trace_exists(&self, trace_id: &str) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 FROM traces WHERE trace_id = ?").bind(trace_id).fetch_optional(&self.pool).await?.is_some())
    }

    /// A trace's links, newest first.
    pub async fn shares_of(&self, trace_id: &str, now_ns: i64) -> Result<Vec<ShareLink>> {
        let rows = sqlx::query("SELECT id, trace_id, created_ns, expires_ns, revoked_ns FROM share_links WHERE trace_id = ? ORDER BY id DESC")
            .bind(trace_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(|r| link(r, now_ns)).collect())
    }

    /// The link a token hash names, whatever its state.
    pub async fn share_by_hash(&self, token_hash: &str, now_ns: i64) -> Result<Option<ShareLink>> {
        let row = sqlx::query("SELECT id, trace_id, created_ns, expires_ns, revoked_ns FROM share_links WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| link(&r, now_ns)))
    }

    /// Revokes link `id` of `trace_id`; false when the trace has no such link.
    pub async fn revoke_share(&self, trace_id: &str, id: i64) -> Result<bool> {
        let done = sqlx::query("UPDATE share_links SET revoked_ns = COALESCE(revoked_ns, ?) WHERE id = ? AND trace_id = ?")
            .bind(crate::now_ns())
            .bind(id)
            .bind(trace_id)
            .execute(&self.admin)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
