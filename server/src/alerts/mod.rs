//! Alerts: rules matched against spans as they are stored (span rules), against
//! log records as they are stored (log rules) or against the last N minutes on a
//! schedule (window rules); firings folded by a cooldown and delivered to
//! webhooks with retries.
//!
//! Flow: the ingest writer tells [`Alerts`] of each newly committed span
//! ([`CommitObserver`]); matching happens right there, in memory, and only firings
//! ([`Hit`]s) go on, through a bounded channel, to the engine task, which owns the
//! cooldowns, stores firings and starts deliveries. The window evaluator sends its
//! firings down the same channel, so both kinds share one cooldown and one history.

pub mod admin;
pub mod deliver;
pub mod egress;
mod engine;
pub mod log_rule;
pub mod preview;
pub mod retry;
pub mod rule;
pub mod window;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::domain::{LogRecord, Span};
use crate::error::Result;
use crate::ingest::sampling::AlertMatch;
use crate::ingest::writer::CommitObserver;
use crate::store::Store;
use log_rule::LogFacts;
use retry::RetryPolicy;
use rule::{CompiledRule, Facts};

/// How alerting behaves; from the command line.
#[derive(Debug, Clone)]
pub struct AlertConfig {
    /// Loupe's address as teammates reach it, for links in notifications.
    pub public_url: String,
    /// A burst of firings within this time after the first goes out as one
    /// notification with a count.
    pub group_wait: Duration,
    /// How often window rules are evaluated.
    pub window_interval: Duration,
    pub retry: RetryPolicy,
    /// Where deliveries are counted.
    pub metrics: crate::metrics::Metrics,
    /// Where webhooks may go (`--webhook-allow`).
    pub egress: std::sync::Arc<egress::Egress>,
}

/// A rule fired on a span or a window.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rule_id: i64,
    pub group_key: Option<String>,
    pub observed: f64,
    pub summary: String,
    pub trace_id: Option<String>,
    pub span_id: Option<String>,
}

/// Firings waiting for the engine; beyond this the writer drops (and counts) them
/// rather than wait: alerting must never slow ingest.
const HIT_BATCHES_QUEUED: usize = 1024;

struct Inner {
    store: Store,
    config: AlertConfig,
    rules: RwLock<Arc<Vec<CompiledRule>>>,
    hits: mpsc::Sender<Vec<Hit>>,
    dropped: AtomicU64,
    client: reqwest::Client,
    /// Serializes rule edits so the stored rules and the ones in force agree.
    edit: tokio::sync::Mutex<()>,
    /// The stored rules' fingerprint when last read.
    rules_version: std::sync::Mutex<(i64, i64)>,
}

/// Handle to alerting; cheap to clone.
#[derive(Clone)]
pub struct Alerts {
    inner: Arc<Inner>,
}

impl Alerts {
    /// Loads the stored rules and starts the engine and the window evaluator.
    pub async fn start(store: Store, config: AlertConfig) -> Result<(Alerts, Vec<JoinHandle<()>>)> {
        let (tx, rx) = mpsc::channel(HIT_BATCHES_QUEUED);
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .user_agent(concat!("Loupe/", env!("CARGO_PKG_VERSION")))
            // A redirect could lead inside the network: a 3xx is a failed attempt.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(egress::GuardedResolver(config.egress.clone()))
            .build()
            .map_err(|e| crate::error::Error::Storage(format!("cannot build the webhook client: {e}")))?;
        let window_interval = config.window_interval;
        let alerts = Alerts {
            inner: Arc::new(Inner {
                store,
                config,
                rules: RwLock::new(Arc::new(Vec::new())),
                hits: tx.clone(),
                dropped: AtomicU64::new(0),
                client,
                edit: tokio::sync::Mutex::new(()),
                rules_version: std::sync::Mutex::new((0, 0)),
            }),
        };
        alerts.reload().await?;
        let open = alerts.store().open_alert_events(crate::domain::now_ns()).await?;
        let tasks =
            vec![tokio::spawn(engine::run(alerts.clone(), rx, open)), tokio::spawn(window::run(alerts.clone(), window_interval, tx))];
        Ok((alerts, tasks))
    }

    /// The rules in force.
    pub fn rules(&self) -> Arc<Vec<CompiledRule>> {
        self.inner.rules.read().expect("rules lock").clone()
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &AlertConfig {
        &self.inner.config
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.inner.client
    }

    /// Firings dropped because the engine fell behind (logged as they happen).
    pub fn dropped(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// The trace opened on the span, under the public URL.
    pub fn link(&self, trace_id: &str, span_id: Option<&str>) -> String {
        let base = self.inner.config.public_url.trim_end_matches('/');
        match span_id {
            Some(s) => format!("{base}/traces/{trace_id}?span={s}"),
            None => format!("{base}/traces/{trace_id}"),
        }
    }

    /// Re-reads the rules when they changed in the database (through another
    /// replica sharing it).
    async fn reload_if_changed(&self) -> Result<()> {
        let version = self.store().alert_rules_version().await?;
        if *self.inner.rules_version.lock().expect("version lock") != version {
            self.load(version).await?;
        }
        Ok(())
    }

    /// Re-reads the stored rules into the set in force.
    async fn reload(&self) -> Result<()> {
        self.load(self.store().alert_rules_version().await?).await
    }

    /// Reads the stored rules, which were at `version` (read first: a change in
    /// between only makes the next check read them again).
    async fn load(&self, version: (i64, i64)) -> Result<()> {
        let mut compiled = Vec::new();
        for r in self.store().alert_rules().await? {
            match CompiledRule::of(&r) {
                Ok(c) => compiled.push(c),
                Err(e) => tracing::warn!(rule = r.id, error = %e, "stored alert rule skipped"),
            }
        }
        *self.inner.rules.write().expect("rules lock") = Arc::new(compiled);
        *self.inner.rules_version.lock().expect("version lock") = version;
        Ok(())
    }

    /// For each span, whether a span rule in force would fire on it (tail
    /// sampling keeps such traces whole).
    pub fn would_fire(&self, spans: &[Span]) -> Vec<bool> {
        let rules = self.rules();
        let live: Vec<&CompiledRule> = rules.iter().filter(|r| r.watches_spans()).collect();
        if live.is_empty() {
            return vec![false; spans.len()];
        }
        spans
            .iter()
            .map(|span| {
                let facts = Facts::from(span);
                live.iter().any(|r| r.matches(&facts) && r.span_firing(&facts).is_some())
            })
            .collect()
    }

    /// Matches newly stored spans against the span rules; never blocks.
    pub fn observe(&self, spans: &[&Span]) {
        let rules = self.rules();
        if !rules.iter().any(|r| r.watches_spans()) {
            return;
        }
        let mut hits = Vec::new();
        for span in spans {
            let facts = Facts::from(*span);
            for rule in rules.iter().filter(|r| r.watches_spans()) {
                if !rule.matches(&facts) {
                    continue;
                }
                if let Some((observed, summary)) = rule.span_firing(&facts) {
                    hits.push(Hit {
                        rule_id: rule.id,
                        group_key: rule.group_key(&facts),
                        observed,
                        summary,
                        trace_id: Some(span.trace_id.to_string()),
                        span_id: Some(span.span_id.to_string()),
                    });
                }
            }
        }
        self.send(hits);
    }

    /// For each log record, whether a log rule in force would fire on it (tail
    /// sampling keeps such traces whole).
    pub fn would_fire_logs(&self, logs: &[LogRecord]) -> Vec<bool> {
        let rules = self.rules();
        let live: Vec<&CompiledRule> = rules.iter().filter(|r| r.watches_logs()).collect();
        logs.iter()
            .map(|log| {
                let facts = LogFacts::from(log);
                live.iter().any(|r| r.matches_log(&facts) && r.log_firing(&facts).is_some())
            })
            .collect()
    }

    /// Matches newly stored log records against the log rules; never blocks. A
    /// record written inside a span links to it.
    pub fn observe_logs(&self, logs: &[&LogRecord]) {
        let rules = self.rules();
        if !rules.iter().any(|r| r.watches_logs()) {
            return;
        }
        let mut hits = Vec::new();
        for log in logs {
            let facts = LogFacts::from(*log);
            for rule in rules.iter().filter(|r| r.watches_logs() && r.matches_log(&facts)) {
                if let Some((observed, summary)) = rule.log_firing(&facts) {
                    hits.push(Hit {
                        rule_id: rule.id,
                        group_key: rule.spec.group_by.map(|_| facts.service.to_string()),
                        observed,
                        summary,
                        trace_id: log.trace_id().map(|t| t.to_string()),
                        span_id: log.span_id().map(|s| s.to_string()),
                    });
                }
            }
        }
        self.send(hits);
    }

    /// Hands firings to the engine, or counts them dropped when it is behind.
    fn send(&self, hits: Vec<Hit>) {
        if hits.is_empty() {
            return;
        }
        let n = hits.len() as u64;
        if self.inner.hits.try_send(hits).is_err() {
            let total = self.inner.dropped.fetch_add(n, Ordering::Relaxed) + n;
            tracing::error!(dropped = n, total, "alert engine is behind: firings dropped");
        }
    }
}

impl CommitObserver for Alerts {
    fn committed(&self, spans: &[&Span]) {
        self.observe(spans);
    }

    fn committed_logs(&self, logs: &[&LogRecord]) {
        self.observe_logs(logs);
    }
}

impl AlertMatch for Alerts {
    fn would_fire(&self, spans: &[Span]) -> Vec<bool> {
        Alerts::would_fire(self, spans)
    }

    fn would_fire_logs(&self, logs: &[LogRecord]) -> Vec<bool> {
        Alerts::would_fire_logs(self, logs)
    }
}
