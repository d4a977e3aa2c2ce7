//! Share links: read-only access to one trace for people without an account, until
//! the link expires or is revoked.

use serde::{Deserialize, Serialize};

/// How long a share link works, as the trace page offers it.
pub const EXPIRIES: [(&str, &str); 3] = [("1h", "1 hour"), ("24h", "24 hours"), ("7d", "7 days")];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShareState {
    Active,
    Expired,
    Revoked,
}

/// A stored share link (its token is never stored, only a hash of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareLink {
    pub id: i64,
    pub trace_id: String,
    pub created_ns: i64,
    pub expires_ns: i64,
    pub revoked_ns: Option<i64>,
    pub state: ShareState,
}

/// A link just made: the only time its token is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewShare {
    #[serde(flatten)]
    pub link: ShareLink,
    pub token: String,
    /// `<public URL>/share/<token>`.
    pub url: String,
}
