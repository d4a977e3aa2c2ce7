//! `--data-dir` and `--db`: where the database is, and opening it.

use std::path::PathBuf;

use clap::Args;

/// Where the database is: shared by `serve` and the commands that edit it.
#[derive(Args, Debug, Clone)]
pub struct StoreArgs {
    /// Directory for the database and the content-hash key; created if missing.
    /// Default: $XDG_DATA_HOME/loupe or ~/.local/share/loupe.
    #[arg(long, env = "LOUPE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database URL: sqlite:PATH (one file, the default: loupe.db in the data
    /// directory) or postgres://USER:PASSWORD@HOST:PORT/DATABASE, for several
    /// replicas sharing one database. The schema is created or migrated at start.
    /// Prefer the variable for a URL with a password: command lines are visible
    /// to other users of the machine.
    #[arg(long, env = "LOUPE_DB", hide_env_values = true)]
    pub db: Option<String>,
}

impl StoreArgs {
    /// The data directory: explicit, or the XDG data home.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
            return PathBuf::from(xdg).join("loupe");
        }
        match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local/share/loupe"),
            None => PathBuf::from("loupe-data"),
        }
    }

    pub fn db_url(&self) -> String {
        self.db.clone().unwrap_or_else(|| format!("sqlite:{}", self.data_dir().join("loupe.db").display()))
    }

    /// Opens (creating the data directory and migrating) the database these
    /// arguments name: for `serve` and for the commands that edit it (`loupe user`,
    /// `loupe key`).
    pub async fn open(&self) -> anyhow::Result<crate::store::Store> {
        use anyhow::Context;
        let dir = self.data_dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create data directory {}", dir.display()))?;
        let url = self.db_url();
        crate::store::Store::open(&url).await.with_context(|| format!("cannot open database {}", crate::store::redact_url(&url)))
    }
}
