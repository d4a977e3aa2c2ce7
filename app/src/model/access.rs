//! Access control: accounts, API keys and who is asking. Used only when Loupe runs
//! with `--auth`; without it every request is [`Viewer::Local`].

use serde::{Deserialize, Serialize};

/// What an API key may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyScope {
    /// Send spans (OTLP `/v1/*`) and nothing else: what exporters need.
    Ingest,
    /// Send spans and use the JSON API (`/api/*`): scripts and automation.
    Api,
}

impl KeyScope {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyScope::Ingest => "ingest",
            KeyScope::Api => "api",
        }
    }

    pub fn parse(s: &str) -> Option<KeyScope> {
        match s.trim() {
            "ingest" => Some(KeyScope::Ingest),
            "api" => Some(KeyScope::Api),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            KeyScope::Ingest => "send spans",
            KeyScope::Api => "send spans and use the JSON API",
        }
    }
}

/// A stored API key (the key itself is never stored, only a hash of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    /// The key's first characters, to recognise it in a list.
    pub prefix: String,
    pub scope: KeyScope,
    pub created_by: Option<String>,
    pub created_ns: i64,
    pub last_used_ns: Option<i64>,
    pub revoked_ns: Option<i64>,
}

/// A key just made: the only time the key is shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewApiKey {
    #[serde(flatten)]
    pub info: ApiKey,
    pub key: String,
}

/// A person who can sign in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    /// Admins manage accounts and API keys.
    pub admin: bool,
    pub created_ns: i64,
}

/// Who makes a request, as the server's access gate established it (put into
/// the request's extensions, read by handlers and server functions).
#[derive(Clone, Debug, PartialEq)]
pub enum Viewer {
    /// Authentication is off (Loupe is a local tool on 127.0.0.1).
    Local,
    User {
        id: i64,
        name: String,
        admin: bool,
    },
    Key {
        id: i64,
        name: String,
        scope: KeyScope,
    },
    /// Authentication is on and the request proved nothing (share-link pages).
    Anonymous,
}

impl Viewer {
    /// May manage accounts and API keys.
    pub fn is_admin(&self) -> bool {
        matches!(self, Viewer::Local | Viewer::User { admin: true, .. })
    }

    /// The name recorded as a key's creator.
    pub fn name(&self) -> Option<&str> {
        match self {
            Viewer::User { name, .. } | Viewer::Key { name, .. } => Some(name),
            Viewer::Local | Viewer::Anonymous => None,
        }
    }
}

/// What the pages show of the signed-in person.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Me {
    /// Whether Loupe runs with authentication.
    pub auth: bool,
    pub name: Option<String>,
    pub admin: bool,
}

impl From<&Viewer> for Me {
    fn from(v: &Viewer) -> Me {
        match v {
            Viewer::Local => Me { auth: false, name: None, admin: true },
            Viewer::User { name, admin, .. } => Me { auth: true, name: Some(name.clone()), admin: *admin },
            Viewer::Key { name, .. } => Me { auth: true, name: Some(name.clone()), admin: false },
            Viewer::Anonymous => Me { auth: true, name: None, admin: false },
        }
    }
}

/// The access page's data: accounts and keys, and whether authentication is on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessOverview {
    pub me: Me,
    pub accounts: Vec<Account>,
    pub keys: Vec<ApiKey>,
}
