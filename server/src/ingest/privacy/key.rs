//! The per-installation secret that keys content hashes.
//!
//! Kept in the data directory, created on first start. A keyed hash means equal
//! prompts have equal hashes within one installation, while a guessed prompt (or an
//! e-mail address) cannot be checked against the hash anywhere else.

use std::io::Write;
use std::path::Path;

const FILE: &str = "content-hash.key";

/// The key given on the command line (or in `LOUPE_CONTENT_KEY`), else the
/// data directory's.
pub fn from_setting_or_dir(setting: Option<&str>, data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    match setting {
        Some(hex) => parse(hex.trim()).ok_or_else(|| anyhow::anyhow!("--content-key (LOUPE_CONTENT_KEY) must be 64 hex characters")),
        None => load_or_create(data_dir),
    }
}

/// Reads the key, creating it (readable by the owner only) if there is none yet.
pub fn load_or_create(data_dir: &Path) -> anyhow::Result<[u8; 32]> {
    let path = data_dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(text.trim()).ok_or_else(|| {
            anyhow::anyhow!("{} is not 64 hex characters; restore it from a backup or delete it to start new hashes", path.display())
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness for the content key: {e}"))?;
            let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path)?;
            file.write_all(hex.as_bytes())?;
            file.sync_all()?;
            Ok(key)
        }
        Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
}

fn parse(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        let second = load_or_create(dir.path()).unwrap();
        assert_eq!(first, second);
        assert_ne!(first, [0; 32]);
        std::fs::write(dir.path().join(FILE), "nonsense").unwrap();
        assert!(load_or_create(dir.path()).is_err());
        let given = "ab".repeat(32);
        assert_eq!(from_setting_or_dir(Some(&given), dir.path()).unwrap(), [0xab; 32], "the setting wins over the file");
        assert!(from_setting_or_dir(Some("abc"), dir.path()).unwrap_err().to_string().contains("64 hex"));
    }
}
