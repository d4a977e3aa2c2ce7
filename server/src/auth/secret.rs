//! Bearer secrets (share links, sessions, API keys): 256 random bits, shown once,
//! stored as a blake3 hash. An unkeyed hash is enough because the secrets are
//! random: there is nothing to guess a preimage from, unlike passwords.

use crate::error::{Error, Result};

/// Hex characters in a token (32 bytes).
pub const TOKEN_HEX: usize = 64;

/// A fresh token: `prefix` followed by 64 hex characters.
pub fn new_token(prefix: &str) -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::Storage(format!("the OS gave no randomness for a token: {e}")))?;
    let mut out = String::with_capacity(prefix.len() + TOKEN_HEX);
    out.push_str(prefix);
    for b in bytes {
        out.push_str(&format!("{b:02x}"));
    }
    Ok(out)
}

/// Whether `token` has the shape [`new_token`] gives with `prefix` (anything else
/// was never issued and is not worth a lookup).
pub fn well_formed(token: &str, prefix: &str) -> bool {
    token.strip_prefix(prefix).is_some_and(|hex| hex.len() == TOKEN_HEX && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_recognised() {
        let a = new_token("loupe_").unwrap();
        let b = new_token("loupe_").unwrap();
        assert_ne!(a, b);
        assert!(well_formed(&a, "loupe_"));
        assert!(!well_formed(&a, ""));
        assert!(!well_formed(&a[..a.len() - 1], "loupe_"));
        assert!(!well_formed("loupe_zz", "loupe_"));
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), hash(&b));
    }
}
