//! API keys (writes through the admin pool).

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;
use app::model::access::{ApiKey, KeyScope};

const COLUMNS: &str = "id, name, prefix, scope, created_by, created_ns, last_used_ns, revoked_ns";

/// A key as [`COLUMNS`] selects it.
#[derive(sqlx::FromRow)]
struct KeyRow {
    id: i64,
    name: String,
    prefix: String,
    scope: String,
    created_by: Option<String>,
    created_ns: i64,
    last_used_ns: Option<i64>,
    revoked_ns: Option<i64>,
}

fn key(r: KeyRow) -> ApiKey {
    ApiKey {
        id: r.id,
        name: r.name,
        prefix: r.prefix,
        // Only the two scopes are ever written; an unknown one gets the narrower.
        scope: KeyScope::parse(&r.scope).unwrap_or(KeyScope::Ingest),
        created_by: r.created_by,
        created_ns: r.created_ns,
        last_used_ns: r.last_used_ns,
        revoked_ns: r.revoked_ns,
    }
}

/// A new key's row.
pub struct NewKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub token_hash: &'a str,
    pub scope: KeyScope,
    pub created_by: Option<&'a str>,
    pub now: i64,
}

impl Store {
    pub async fn insert_api_key(&self, k: NewKey<'_>) -> Result<ApiKey> {
        with_db!(self, db => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_keys (name, prefix, token_hash, scope, created_by, created_ns) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
                .bind(k.name)
                .bind(k.prefix)
                .bind(k.token_hash)
                .bind(k.scope.as_str())
                .bind(k.created_by)
                .bind(k.now)
                .fetch_one(&db.admin)
                .await?;
            Ok(ApiKey {
                id,
                name: k.name.into(),
                prefix: k.prefix.into(),
                scope: k.scope,
                created_by: k.created_by.map(Into::into),
                created_ns: k.now,
                last_used_ns: None,
                revoked_ns: None,
            })
        })
    }

    /// Every key, revoked ones too (newest first): the list says what was revoked when.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        with_db!(self, db => {
            let rows = sqlx::query_as::<DB, KeyRow>(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM api_keys ORDER BY id DESC"))).fetch_all(&db.read).await?;
            Ok(rows.into_iter().map(key).collect())
        })
    }

    /// The live (not revoked) key with this hash.
    pub async fn live_api_key(&self, token_hash: &str) -> Result<Option<ApiKey>> {
        with_db!(self, db => {
            let row = sqlx::query_as::<DB, KeyRow>(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM api_keys WHERE token_hash = $1 AND revoked_ns IS NULL")))
                .bind(token_hash)
                .fetch_optional(&db.read)
                .await?;
            Ok(row.map(key))
        })
    }

    /// Revokes key `id`; false when there is no such key (revoking twice keeps the first time).
    pub async fn revoke_api_key(&self, id: i64, now: i64) -> Result<bool> {
        with_db!(self, db => {
            let done = sqlx::query("UPDATE api_keys SET revoked_ns = COALESCE(revoked_ns, $1) WHERE id = $2").bind(now).bind(id).execute(&db.admin).await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn touch_api_key(&self, id: i64, now: i64) -> Result<()> {
        with_db!(self, db => {
            sqlx::query("UPDATE api_keys SET last_used_ns = $1 WHERE id = $2").bind(now).bind(id).execute(&db.admin).await?;
            Ok(())
        })
    }
}
