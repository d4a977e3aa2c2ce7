//! The operator's price overrides. Written on their own short-lived connection
//! (the read pool is query-only; the ingest writer owns the other one), rarely.

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::{per_backend, with_db};
use app::model::cost::PriceOverride;

/// The price-override statements, once per backend.
pub(in crate::store) struct PriceSql<DB>(std::marker::PhantomData<DB>);

#[derive(sqlx::FromRow)]
struct OverrideRow {
    model: String,
    pattern: Option<String>,
    input_per_mtok: f64,
    output_per_mtok: f64,
    cache_read_per_mtok: Option<f64>,
    cache_write_per_mtok: Option<f64>,
}

impl Store {
    pub async fn price_overrides(&self) -> Result<Vec<PriceOverride>> {
        with_db!(self, db => {
            let rows = sqlx::query_as::<DB, OverrideRow>(
                "SELECT model, pattern, input_per_mtok, output_per_mtok, cache_read_per_mtok, cache_write_per_mtok \
                 FROM price_overrides ORDER BY model",
            )
            .fetch_all(&db.read)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| PriceOverride {
                    model: r.model,
                    pattern: r.pattern,
                    input_per_mtok: r.input_per_mtok,
                    output_per_mtok: r.output_per_mtok,
                    cache_read_per_mtok: r.cache_read_per_mtok,
                    cache_write_per_mtok: r.cache_write_per_mtok,
                })
                .collect())
        })
    }

    /// Replaces every override with `all` (validated by the caller), in one transaction.
    pub async fn replace_price_overrides(&self, all: &[PriceOverride]) -> Result<()> {
        with_db!(self, db => {
            let mut tx = db.admin.begin_with(D.begin_write()).await?;
            sqlx::query("DELETE FROM price_overrides").execute(&mut *tx).await?;
            for o in all {
                PriceSql::<DB>::upsert_price(&mut tx, o).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Adds or replaces the override for `o.model`.
    pub async fn put_price_override(&self, o: &PriceOverride) -> Result<()> {
        with_db!(self, db => {
            let mut conn = db.admin.acquire().await?;
            PriceSql::<DB>::upsert_price(&mut conn, o).await
        })
    }

    /// Removes the override for `model`; false if there was none.
    pub async fn delete_price_override(&self, model: &str) -> Result<bool> {
        with_db!(self, db => {
            let done = sqlx::query("DELETE FROM price_overrides WHERE model = $1").bind(model).execute(&db.admin).await?;
            Ok(done.rows_affected() > 0)
        })
    }
}

per_backend! {
impl PriceSql {
    async fn upsert_price(conn: &mut Conn, o: &PriceOverride) -> Result<()> {
        sqlx::query(
            "INSERT INTO price_overrides (model, pattern, input_per_mtok, output_per_mtok, cache_read_per_mtok, \
             cache_write_per_mtok, updated_ns) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (model) DO UPDATE SET pattern = excluded.pattern, input_per_mtok = excluded.input_per_mtok, \
             output_per_mtok = excluded.output_per_mtok, cache_read_per_mtok = excluded.cache_read_per_mtok, \
             cache_write_per_mtok = excluded.cache_write_per_mtok, updated_ns = excluded.updated_ns",
        )
        .bind(&o.model)
        .bind(o.pattern.as_deref().map(str::trim).filter(|p| !p.is_empty()))
        .bind(o.input_per_mtok)
        .bind(o.output_per_mtok)
        .bind(o.cache_read_per_mtok)
        .bind(o.cache_write_per_mtok)
        .bind(crate::domain::now_ns())
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}
}
