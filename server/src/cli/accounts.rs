//! Runs `loupe user …` and `loupe key …` against the database.

use std::io::{BufRead, IsTerminal};

use anyhow::Context;

use super::access::PasswordArg;
use super::{KeyCommand, UserCommand};
use crate::auth::{accounts, keys, password};
use app::format;
use app::model::access::KeyScope;

/// The new password: from stdin's first line, or asked twice on the terminal.
fn read_password(arg: &PasswordArg, name: &str) -> anyhow::Result<String> {
    if arg.password_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    loop {
        let first = rpassword::prompt_password(format!("Password for {name} (at least {} characters): ", password::MIN_LEN))?;
        if let Err(e) = password::check_new(&first) {
            eprintln!("{e}");
            continue;
        }
        if rpassword::prompt_password("Again: ")? == first {
            return Ok(first);
        }
        eprintln!("The two passwords differ; once more.");
    }
}

pub async fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { name, admin, password, store } => {
            let store = store.open().await?;
            let pw = read_password(&password, &name)?;
            let account = accounts::add(&store, &name, &pw, admin).await?;
            let role = if account.admin { "an admin" } else { "a member" };
            println!("Added {} as {role}. They sign in on Loupe's page when it runs with --auth.", account.name);
        }
        UserCommand::List { store } => {
            let list = store.open().await?.accounts().await?;
            if list.is_empty() {
                println!("No accounts. Add one with `loupe user add NAME --admin`.");
            }
            for a in list {
                println!("{:<24} {:<7} added {}", a.name, if a.admin { "admin" } else { "member" }, format::utc(a.created_ns));
            }
        }
        UserCommand::Passwd { name, password, store } => {
            let store = store.open().await?;
            let pw = read_password(&password, &name)?;
            accounts::set_password(&store, &name, &pw).await?;
            println!("Password of {name} changed; its sessions have ended.");
        }
        UserCommand::Remove { name, store } => {
            accounts::remove(&store.open().await?, &name, None).await?;
            println!("Removed {name}; its sessions have ended.");
        }
    }
    Ok(())
}

pub async fn key(command: KeyCommand) -> anyhow::Result<()> {
    match command {
        KeyCommand::Create { name, scope, store } => {
            let scope = KeyScope::parse(&scope).context("--scope is ingest or api")?;
            let made = keys::create(&store.open().await?, &name, scope, None).await?;
            eprintln!(
                "API key {} ({}: {}). It is shown this once; Loupe keeps only a hash:",
                made.info.id,
                made.info.name,
                scope.describe()
            );
            println!("{}", made.key);
            eprintln!("Exporters send it as a header, e.g. OTEL_EXPORTER_OTLP_HEADERS=x-api-key={}", made.key);
        }
        KeyCommand::List { store } => {
            let list = store.open().await?.api_keys().await?;
            if list.is_empty() {
                println!("No API keys. Create one with `loupe key create NAME`.");
            }
            let now = crate::domain::now_ns();
            for k in list {
                let state = match (k.revoked_ns, k.last_used_ns) {
                    (Some(t), _) => format!("revoked {}", format::utc(t)),
                    (None, Some(t)) => format!("last used {}", format::ago(t, now)),
                    (None, None) => "never used".into(),
                };
                println!("{:>4}  {}…  {:<6}  {:<28} {state}", k.id, k.prefix, k.scope.as_str(), k.name);
            }
        }
        KeyCommand::Revoke { id, store } => {
            keys::revoke(&store.open().await?, id).await?;
            println!("Revoked API key {id}; requests with it are refused from now on.");
        }
    }
    Ok(())
}
