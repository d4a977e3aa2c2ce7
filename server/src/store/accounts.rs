//! Accounts and sign-in sessions (writes through the admin pool, like share links).

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::Store;
use crate::error::Result;
use app::model::access::Account;

fn account(r: &SqliteRow) -> Account {
    Account { id: r.get(0), name: r.get(1), admin: r.get::<i64, _>(2) != 0, created_ns: r.get(3) }
}

impl Store {
    pub async fn accounts(&self) -> Result<Vec<Account>> {
        let rows = sqlx::query("SELECT id, name, admin, created_ns FROM users ORDER BY name").fetch_all(&self.pool).await?;
        Ok(rows.iter().map(account).collect())
    }

    pub async fn account_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?.get(0))
    }

    /// The account and its password hash.
    pub async fn account_by_name(&self, name: &str) -> Result<Option<(Account, String)>> {
        let row = sqlx::query("SELECT id, name, admin, created_ns, password_hash FROM users WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (account(&r), r.get(4))))
    }

    /// Adds an account; `None` when the name is taken.
    pub async fn insert_account(&self, name: &str, password_hash: &str, admin: bool, now: i64) -> Result<Option<Account>> {
        let done = sqlx::query("INSERT INTO users (name, password_hash, admin, created_ns) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(password_hash)
            .bind(admin as i64)
            .bind(now)
            .execute(&self.admin)
            .await?;
        Ok((done.rows_affected() == 1).then(|| Account { id: done.last_insert_rowid(), name: name.into(), admin, created_ns: now }))
    }

    /// Sets an account's password and ends its sessions; false when there is no such account.
    pub async fn set_password(&self, name: &str, password_hash: &str) -> Result<bool> {
        let mut tx = self.admin.begin().await?;
        let done = sqlx::query("UPDATE users SET password_hash = ? WHERE name = ?").bind(password_hash).bind(name).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = ?)").bind(name).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Removes an account and its sessions; false when there is no such account.
    pub async fn delete_account(&self, name: &str) -> Result<bool> {
        let mut tx = self.admin.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE name = ?)").bind(name).execute(&mut *tx).await?;
        let done = sqlx::query("DELETE FROM users WHERE name = ?").bind(name).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Admins other than `name` (the last admin cannot be removed).
    pub async fn other_admins(&self, name: &str) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) FROM users WHERE admin = 1 AND name <> ?").bind(name).fetch_one(&self.pool).await?.get(0))
    }

    /// Starts a session; sessions that have ended are cleared on the way.
    pub async fn insert_session(&self, token_hash: &str, user_id: i64, now: i64, expires_ns: i64) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_ns <= ?").bind(now).execute(&self.admin).await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_ns, expires_ns) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_ns)
            .execute(&self.admin)
            .await?;
        Ok(())
    }

    /// The account a live session belongs to.
    pub async fn session_account(&self, token_hash: &str, now: i64) -> Result<Option<Account>> {
        let row = sqlx::query(
            "SELECT u.id, u.name, u.admin, u.created_ns FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ? AND s.expires_ns > ?",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(account))
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(&self.admin).await?;
        Ok(())
    }
}
