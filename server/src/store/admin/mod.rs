//! The small tables people and operators manage: accounts, API keys, alert rules
//! and their firings, share links, price overrides, job leases, retention.

mod accounts;
pub(super) mod alert_firing;
pub(super) mod alerts;
pub(super) mod api_keys;
pub(super) mod jobs;
mod prices;
pub(super) mod retention;
mod shares;
