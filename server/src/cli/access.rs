//! `loupe user …` and `loupe key …`: accounts and API keys, edited in the
//! database directly (the server need not run; a running one sees changes at once).

use clap::{Args, Subcommand};

use super::store::StoreArgs;

#[derive(Subcommand, Debug, Clone)]
pub enum UserCommand {
    /// Add an account. The password is asked for (or read from stdin with
    /// --password-stdin). The first account is always an admin.
    Add {
        name: String,
        /// Admins manage accounts and API keys.
        #[arg(long)]
        admin: bool,
        #[command(flatten)]
        password: PasswordArg,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the accounts.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Set a new password for an account (and sign it out everywhere).
    Passwd {
        name: String,
        #[command(flatten)]
        password: PasswordArg,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Remove an account and end its sessions.
    Remove {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Args, Debug, Clone)]
pub struct PasswordArg {
    /// Read the password from the first line of stdin instead of asking.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Subcommand, Debug, Clone)]
pub enum KeyCommand {
    /// Create an API key and print it (the only time it is shown).
    Create {
        /// What sends with it, e.g. "checkout-agent prod".
        name: String,
        /// ingest: send spans only (what exporters need); api: also the JSON API.
        #[arg(long, default_value = "ingest", value_parser = ["ingest", "api"])]
        scope: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List API keys, revoked ones included.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Revoke an API key by its id (see `loupe key list`); it stops working at once.
    Revoke {
        id: i64,
        #[command(flatten)]
        store: StoreArgs,
    },
}
