//! Accounts: people who sign in. The first account is always an admin; admins
//! manage accounts and API keys, and the last admin cannot be removed.

use super::password;
use crate::error::{Error, Result};
use crate::store::Store;
use app::model::access::Account;

/// Why a name is refused, if it is: 1 to 64 letters, digits, `.`, `_`, `-` or `@`
/// (names appear in URLs and logs, so nothing that needs escaping).
pub fn check_name(name: &str) -> Result<&str> {
    let name = name.trim();
    let ok = (1..=64).contains(&name.chars().count()) && name.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c));
    if !ok {
        return Err(Error::BadRequest(format!("name: {name:?} is not an account name: use 1 to 64 letters, digits, '.', '_', '-' or '@'")));
    }
    Ok(name)
}

/// Adds an account (an admin when asked, or when it is the first).
pub async fn add(store: &Store, name: &str, password: &str, admin: bool) -> Result<Account> {
    let name = check_name(name)?;
    let hash = password::hash(password).await?;
    let admin = admin || store.account_count().await? == 0;
    let account = store
        .insert_account(name, &hash, admin, crate::domain::now_ns())
        .await?
        .ok_or_else(|| Error::BadRequest(format!("name: an account named {name:?} exists already")))?;
    tracing::info!(account = name, admin, "account added");
    Ok(account)
}

/// Removes an account and ends its sessions; `by` is who asks (not oneself).
pub async fn remove(store: &Store, name: &str, by: Option<&str>) -> Result<()> {
    if by == Some(name.trim()) {
        return Err(Error::BadRequest("you cannot remove your own account; ask another admin".into()));
    }
    let Some((account, _)) = store.account_by_name(name.trim()).await? else {
        return Err(Error::NotFound(format!("no account named {:?}", name.trim())));
    };
    if account.admin && store.other_admins(&account.name).await? == 0 {
        return Err(Error::BadRequest(format!("{:?} is the last admin; make another admin before removing it", account.name)));
    }
    store.delete_account(&account.name).await?;
    tracing::info!(account = %account.name, "account removed; its sessions ended");
    Ok(())
}

/// Sets a new password and signs the account out everywhere.
pub async fn set_password(store: &Store, name: &str, password: &str) -> Result<()> {
    let hash = password::hash(password).await?;
    if !store.set_password(name.trim(), &hash).await? {
        return Err(Error::NotFound(format!("no account named {:?}", name.trim())));
    }
    tracing::info!(account = name.trim(), "password changed; sessions ended");
    Ok(())
}

/// The account `name` when `password` is its password.
pub async fn sign_in(store: &Store, name: &str, password: &str) -> Result<Option<Account>> {
    let found = store.account_by_name(name.trim()).await?;
    let (account, hash) = found.map_or((None, None), |(a, h)| (Some(a), Some(h)));
    Ok(if password::verify(password, hash).await? { account } else { None })
}

/// At a start with `--auth`: the admin from `LOUPE_ADMIN_USER`/`LOUPE_ADMIN_PASSWORD`
/// when no account exists yet; then there must be at least one account.
pub async fn bootstrap(store: &Store, admin_user: Option<&str>, admin_password: Option<&str>) -> anyhow::Result<()> {
    let existing = store.account_count().await?;
    match (existing, admin_user, admin_password) {
        (0, Some(user), Some(pw)) => {
            add(store, user, pw, true)
                .await
                .map_err(|e| anyhow::anyhow!("cannot create the admin from LOUPE_ADMIN_USER/LOUPE_ADMIN_PASSWORD: {e}"))?;
            tracing::info!(account = user, "created the first admin from LOUPE_ADMIN_USER");
        }
        (0, _, _) => anyhow::bail!(
            "authentication is on (--auth) but no account exists, so nobody could sign in.\n  \
             Create the first admin with `loupe user add NAME --admin` (with the same --data-dir or --db),\n  \
             or set LOUPE_ADMIN_USER and LOUPE_ADMIN_PASSWORD (or --admin-user/--admin-password) for this first start."
        ),
        (n, Some(_), _) => tracing::info!(accounts = n, "accounts exist already; LOUPE_ADMIN_USER is used on the first start only"),
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain() {
        assert_eq!(check_name(" ada@example.com ").unwrap(), "ada@example.com");
        for bad in ["", "a b", "<script>", &"x".repeat(65)] {
            assert!(check_name(bad).unwrap_err().to_string().starts_with("name:"), "{bad}");
        }
    }
}
