//! `serve`'s retention flags (see `crate::retention`).

use std::time::Duration;

use clap::Args;

use super::sampling::duration;
use crate::retention::Policy;

#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Retention (off unless --retain, --retain-service or --max-db-size is given)")]
pub struct RetentionArgs {
    /// Delete traces that started longer ago than this (e.g. 30d, 12h), in the
    /// background, a few hundred at a time.
    #[arg(long, env = "LOUPE_RETAIN", value_name = "DURATION", value_parser = duration)]
    pub retain: Option<Duration>,

    /// Keep the traces of one service (its root span's service.name) for another
    /// time, e.g. --retain-service checkout=90d (repeatable; also without --retain).
    #[arg(long, env = "LOUPE_RETAIN_SERVICE", value_name = "SERVICE=DURATION", value_parser = service_rule, value_delimiter = ',')]
    pub retain_service: Vec<(String, Duration)>,

    /// Keep the data under this size (e.g. 500MiB, 20GiB) by deleting the oldest
    /// traces. SQLite: the database file's pages in use. PostgreSQL: Loupe's count
    /// of its span data, since PostgreSQL keeps deleted rows' space for reuse (its
    /// files do not shrink; they level off above the cap by about what arrives
    /// between two autovacuum passes).
    #[arg(long, env = "LOUPE_MAX_DB_SIZE", value_name = "SIZE", value_parser = size)]
    pub max_db_size: Option<u64>,

    /// How often retention runs (one replica at a time).
    #[arg(long, env = "LOUPE_RETENTION_EVERY", value_name = "DURATION", default_value = "1m", value_parser = duration, hide = true)]
    pub retention_every: Duration,
}

impl RetentionArgs {
    /// The policy, when any retention is asked for.
    pub fn policy(&self) -> Option<Policy> {
        let on = self.retain.is_some() || !self.retain_service.is_empty() || self.max_db_size.is_some();
        on.then(|| Policy {
            default: self.retain,
            per_service: self.retain_service.clone(),
            max_bytes: self.max_db_size,
            every: self.retention_every,
        })
    }
}

fn service_rule(s: &str) -> Result<(String, Duration), String> {
    let (name, keep) = s.split_once('=').ok_or_else(|| format!("{s:?} is not SERVICE=DURATION, e.g. checkout=90d"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("{s:?} names no service; write SERVICE=DURATION, e.g. checkout=90d"));
    }
    Ok((name.to_string(), duration(keep.trim())?))
}

/// A size: `500MiB`, `20GiB`, `1.5GB`, or bytes.
pub fn size(s: &str) -> Result<u64, String> {
    let bad = || format!("{s:?} is not a size like 500MiB or 20GiB");
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => return Err(bad()),
    };
    let bytes = n * factor;
    if !(1.0..1e18).contains(&bytes) {
        return Err(bad());
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_service_rules_read_as_written() {
        assert_eq!(size("500MiB"), Ok(500 * 1024 * 1024));
        assert_eq!(size("1.5GB"), Ok(1_500_000_000));
        assert_eq!(size("4096"), Ok(4096));
        assert!(size("lots").unwrap_err().contains("500MiB"));
        assert_eq!(service_rule("checkout=90d"), Ok(("checkout".into(), Duration::from_secs(90 * 86_400))));
        assert!(service_rule("checkout").unwrap_err().contains("SERVICE=DURATION"));
        assert!(service_rule("=3d").is_err());
        assert!(service_rule("a=forever").unwrap_err().contains("30d"));
    }
}
