//! Passwords: argon2id with the crate's defaults (the OWASP-recommended 19 MiB,
//! 2 passes), a random salt each, stored as a PHC string. Hashing runs on the
//! blocking pool, at most two at a time, so a burst of sign-in attempts cannot
//! starve the runtime or take all the memory.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use tokio::sync::Semaphore;

use crate::error::{Error, Result};

/// Shortest password accepted.
pub const MIN_LEN: usize = 10;

static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

/// How long a request waits for a hashing slot before it is told to come back:
/// a sign-in storm gets answers (503) instead of a queue that never drains.
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

async fn slot() -> Result<tokio::sync::SemaphorePermit<'static>> {
    match tokio::time::timeout(SLOT_WAIT, HASHING.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_)) => Err(Error::ShuttingDown),
        Err(_) => Err(Error::Busy("too many sign-ins are being checked at once; try again in a moment".into())),
    }
}

/// A hash to verify against when the account does not exist, so a wrong name
/// takes as long as a wrong password (no telling which names exist by timing).
static DUMMY: LazyLock<String> = LazyLock::new(|| hash_now("not a password of anyone").expect("argon2 hashes"));

/// Why a new password is refused, if it is.
pub fn check_new(password: &str) -> Result<()> {
    if password.chars().count() < MIN_LEN {
        return Err(Error::BadRequest(format!("the password must be at least {MIN_LEN} characters long")));
    }
    if password.len() > 1024 {
        return Err(Error::BadRequest("the password is longer than 1024 bytes".into()));
    }
    Ok(())
}

fn hash_now(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Storage(format!("hashing a password failed: {e}")))
}

/// The PHC string to store for a new password (checked with [`check_new`]).
pub async fn hash(password: &str) -> Result<String> {
    check_new(password)?;
    let password = password.to_string();
    let _permit = slot().await?;
    tokio::task::spawn_blocking(move || hash_now(&password)).await.map_err(|e| Error::Storage(format!("password hashing task: {e}")))?
}

/// Whether `password` matches `stored` (a PHC string); `None` checks against a
/// dummy hash and is always false, taking the same time. An error only when no
/// hashing slot came free in time.
pub async fn verify(password: &str, stored: Option<String>) -> Result<bool> {
    if password.len() > 1024 {
        return Ok(false);
    }
    let password = password.to_string();
    let _permit = slot().await?;
    let checked = tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY.clone());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            tracing::error!("a stored password hash is not a PHC string; that account cannot sign in");
            return false;
        };
        Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok() && known
    })
    .await;
    Ok(checked.unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery").await.unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(!stored.contains("correct horse"));
        assert!(verify("correct horse battery", Some(stored.clone())).await.unwrap());
        assert!(!verify("correct horse batterY", Some(stored.clone())).await.unwrap());
        assert!(!verify("correct horse battery", None).await.unwrap());
        assert!(!verify("x", Some("not a phc string".into())).await.unwrap());
        // Salted: the same password hashes differently each time.
        assert_ne!(stored, hash("correct horse battery").await.unwrap());
    }

    #[test]
    fn short_passwords_are_refused_with_the_rule() {
        assert!(check_new("short").unwrap_err().to_string().contains("at least 10 characters"));
        assert!(check_new("long enough pw").is_ok());
    }
}
