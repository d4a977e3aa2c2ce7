//! Share links (through the admin pool for writes, like alert rules).

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;
use app::model::share::{ShareLink, ShareState};

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: i64,
    trace_id: String,
    created_ns: i64,
    expires_ns: i64,
    revoked_ns: Option<i64>,
}

fn link(r: LinkRow, now_ns: i64) -> ShareLink {
    let (expires_ns, revoked_ns) = (r.expires_ns, r.revoked_ns);
    let state = if revoked_ns.is_some() {
        ShareState::Revoked
    } else if now_ns >= expires_ns {
        ShareState::Expired
    } else {
        ShareState::Active
    };
    ShareLink { id: r.id, trace_id: r.trace_id, created_ns: r.created_ns, expires_ns, revoked_ns, state }
}

impl Store {
    pub async fn insert_share(&self, token_hash: &str, trace_id: &str, now: i64, expires_ns: i64) -> Result<ShareLink> {
        with_db!(self, db => {
            let id: i64 = sqlx::query_scalar("INSERT INTO share_links (token_hash, trace_id, created_ns, expires_ns) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(token_hash)
                .bind(trace_id)
                .bind(now)
                .bind(expires_ns)
                .fetch_one(&db.admin)
                .await?;
            Ok(ShareLink { id, trace_id: trace_id.into(), created_ns: now, expires_ns, revoked_ns: None, state: ShareState::Active })
        })
    }

    /// Whether any span of the trace is stored.
    pub async fn trace_exists(&self, trace_id: &str) -> Result<bool> {
        with_db!(self, db => {
            Ok(sqlx::query("SELECT 1 FROM traces WHERE trace_id = $1").bind(trace_id).fetch_optional(&db.read).await?.is_some())
        })
    }

    /// A trace's links, newest first.
    pub async fn shares_of(&self, trace_id: &str, now_ns: i64) -> Result<Vec<ShareLink>> {
        with_db!(self, db => {
            let rows = sqlx::query_as::<DB, LinkRow>("SELECT id, trace_id, created_ns, expires_ns, revoked_ns FROM share_links WHERE trace_id = $1 ORDER BY id DESC")
                .bind(trace_id)
                .fetch_all(&db.read)
                .await?;
            Ok(rows.into_iter().map(|r| link(r, now_ns)).collect())
        })
    }

    /// The link a token hash names, whatever its state.
    pub async fn share_by_hash(&self, token_hash: &str, now_ns: i64) -> Result<Option<ShareLink>> {
        with_db!(self, db => {
            let row = sqlx::query_as::<DB, LinkRow>("SELECT id, trace_id, created_ns, expires_ns, revoked_ns FROM share_links WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&db.read)
                .await?;
            Ok(row.map(|r| link(r, now_ns)))
        })
    }

    /// Revokes link `id` of `trace_id`; false when the trace has no such link.
    pub async fn revoke_share(&self, trace_id: &str, id: i64) -> Result<bool> {
        with_db!(self, db => {
            let done = sqlx::query("UPDATE share_links SET revoked_ns = COALESCE(revoked_ns, $1) WHERE id = $2 AND trace_id = $3")
                .bind(crate::domain::now_ns())
                .bind(id)
                .bind(trace_id)
                .execute(&db.admin)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}
