//! Accounts and sign-in sessions (writes through the admin pool, like share links).

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;
use app::model::access::Account;

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: i64,
    name: String,
    admin: i64,
    created_ns: i64,
    /// Selected only where a sign-in checks it.
    #[sqlx(default)]
    password_hash: String,
}

fn account(r: AccountRow) -> Account {
    Account { id: r.id, name: r.name, admin: r.admin != 0, created_ns: r.created_ns }
}

impl Store {
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        with_db!(self, db => {
            let rows = sqlx::query_as::<DB, AccountRow>("SELECT id, name, admin, created_ns FROM users ORDER BY name").fetch_all(&db.read).await?;
            Ok(rows.into_iter().map(account).collect())
        })
    }

    pub async fn account_count(&self) -> Result<i64> {
        with_db!(self, db => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&db.read).await?)
        })
    }

    /// The account and its password hash.
    pub async fn account_by_name(&self, name: &str) -> Result<Option<(Account, String)>> {
        with_db!(self, db => {
            let row = sqlx::query_as::<DB, AccountRow>("SELECT id, name, admin, created_ns, password_hash FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(&db.read)
                .await?;
            Ok(row.map(|mut r| {
                let hash = std::mem::take(&mut r.password_hash);
                (account(r), hash)
            }))
        })
    }

    /// Adds an account; `None` when the name is taken.
    pub async fn insert_account(&self, name: &str, password_hash: &str, admin: bool, now: i64) -> Result<Option<Account>> {
        with_db!(self, db => {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO users (name, password_hash, admin, created_ns) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING id",
            )
            .bind(name)
            .bind(password_hash)
            .bind(admin as i64)
            .bind(now)
            .fetch_optional(&db.admin)
            .await?;
            Ok(id.map(|id| Account { id, name: name.into(), admin, created_ns: now }))
        })
    }

    /// Sets an account's password and ends its sessions; false when there is no such account.
    pub async fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        with_db!(self, db => {
            let mut tx = db.admin.begin_with(D.begin_write()).await?;
            let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE name = $2").bind(password_hash).bind(name).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = $1)").bind(name).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Removes an account and its sessions; false when there is no such account.
    pub async fn delete_account(&self, name: &str) -> Result<bool> {
        with_db!(self, db => {
            let mut tx = db.admin.begin_with(D.begin_write()).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = $1)").bind(name).execute(&mut *tx).await?;
            let done = sqlx::query("DELETE FROM users WHERE name = $1").bind(name).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Admins other than `name` (the last admin cannot be removed).
    pub async fn other_admins(&self, name: &str) -> Result<i64> {
        with_db!(self, db => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE admin = 1 AND name <> $1").bind(name).fetch_one(&db.read).await?)
        })
    }

    /// Starts a session; sessions that have ended are cleared on the way.
    pub async fn insert_session(&self, token_hash: &str, user_id: i64, now: i64, expires_ns: i64) -> Result<()> {
        with_db!(self, db => {
            sqlx::query("DELETE FROM sessions WHERE expires_ns <= $1").bind(now).execute(&db.admin).await?;
            sqlx::query("INSERT INTO sessions (token_hash, user_id, created_ns, expires_ns) VALUES ($1, $2, $3, $4)")
                .bind(token_hash)
                .bind(user_id)
                .bind(now)
                .bind(expires_ns)
                .execute(&db.admin)
                .await?;
            Ok(())
        })
    }

    /// The account a live session belongs to.
    pub async fn session_account(&self, token_hash: &str, now: i64) -> Result<Option<Account>> {
        with_db!(self, db => {
            let row = sqlx::query_as::<DB, AccountRow>(
                "SELECT u.id, u.name, u.admin, u.created_ns FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.expires_ns > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&db.read)
            .await?;
            Ok(row.map(account))
        })
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        with_db!(self, db => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&db.admin).await?;
            Ok(())
        })
    }
}
