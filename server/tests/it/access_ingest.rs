//! Access control for ingest and the API: with `--auth`, exporters need an API
//! key (stored hashed, revocable), refused requests store nothing, and Loupe will
//! not listen beyond loopback without authentication.

use crate::common;

use common::access::*;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn ingest_without_a_valid_key_is_401_and_stores_nothing() {
    let app = spawn_auth_app(&[]).await;
    let admin = app.sign_in(ADMIN, ADMIN_PASSWORD).await;

    let bare = app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await;
    assert_eq!(bare.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bare.headers["content-type"], "application/x-protobuf", "OTLP refusals are a Status in the request's encoding");
    assert!(bare.text().contains("x-api-key"), "says what to send: {}", bare.text());
    let json = app.post_otlp(fixture("openinference.json"), "application/json", None).await;
    assert_eq!(json.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json.json()["code"], 16, "UNAUTHENTICATED");
    let unknown = format!("loupe_{}", "0".repeat(64));
    let wrong = app.post_otlp_with(fixture("genai.pb"), "application/x-protobuf", ("x-api-key", &unknown)).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.text().contains("not valid"), "{}", wrong.text());
    let garbage = app.post_otlp_with(fixture("genai.pb"), "application/x-protobuf", ("authorization", "Bearer hunter2")).await;
    assert!(garbage.text().contains("not a Loupe API key"), "{}", garbage.text());
    assert_eq!(app.span_count(&admin).await, 0, "nothing refused was stored");

    // A key works in either header.
    let key = app.create_key(&admin, "checkout-agent", "ingest").await;
    let bearer = format!("Bearer {key}");
    let ok = app.post_otlp_with(fixture("genai.pb"), "application/x-protobuf", ("authorization", &bearer)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let ok = app.post_otlp_with(fixture("openinference.json"), "application/json", ("x-api-key", &key)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
    let stored = app.span_count(&admin).await;
    assert!(stored > 0);

    // Revoked: the very next export is refused, and nothing more is stored.
    let keys = app.get_with("/api/keys", ("cookie", &admin)).await.json();
    let id = keys[0]["id"].as_i64().unwrap();
    assert_eq!(keys[0]["name"], "checkout-agent");
    assert!(key.starts_with(keys[0]["prefix"].as_str().unwrap()));
    assert!(!keys.to_string().contains(&key), "a listed key never shows in full");
    let del = app.send_json_with(Method::DELETE, &format!("/api/keys/{id}"), &json!(null), ("cookie", &admin)).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let after = app.post_otlp_with(fixture("openllmetry.json"), "application/json", ("x-api-key", &key)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.span_count(&admin).await, stored);
    assert!(app.get_with("/api/keys", ("cookie", &admin)).await.json()[0]["revoked_ns"].is_i64());

    // Only a hash of the key, of the session token and of the password is on disk.
    let token = admin.split('=').nth(1).unwrap();
    for (path, bytes) in app.data_files().await {
        for secret in [key.as_str(), token, ADMIN_PASSWORD] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{} holds a secret", path.display());
        }
    }
}

#[tokio::test]
async fn key_scopes_decide_what_the_api_answers() {
    let app = spawn_auth_app(&[]).await;
    let admin = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let ingest = app.create_key(&admin, "exporter", "ingest").await;
    let api = app.create_key(&admin, "nightly report", "api").await;

    let anonymous = app.get("/api/traces").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers["www-authenticate"], "Bearer realm=\"loupe\"");
    let narrow = app.get_with("/api/traces", ("x-api-key", &ingest)).await;
    assert_eq!(narrow.status, StatusCode::FORBIDDEN);
    assert!(narrow.json()["error"].as_str().unwrap().contains("api scope"));
    assert_eq!(app.get_with("/api/traces", ("authorization", &format!("Bearer {api}"))).await.status, StatusCode::OK);
    // A key opens the API, not the pages, and cannot manage keys.
    assert_eq!(app.get_with("/", ("x-api-key", &api)).await.status, StatusCode::SEE_OTHER, "to the sign-in page");
    let manage = app.send_json_with(Method::POST, "/api/keys", &json!({"name": "more"}), ("x-api-key", &api)).await;
    assert_eq!(manage.status, StatusCode::FORBIDDEN);

    // Bad input says what is wrong.
    let nameless = app.send_json_with(Method::POST, "/api/keys", &json!({"name": " "}), ("cookie", &admin)).await;
    assert_eq!(nameless.status, StatusCode::BAD_REQUEST);
    assert!(nameless.json()["error"].as_str().unwrap().starts_with("name:"));
    let scope = app.send_json_with(Method::POST, "/api/keys", &json!({"name": "x", "scope": "root"}), ("cookie", &admin)).await;
    assert_eq!(scope.status, StatusCode::BAD_REQUEST);
    assert!(scope.json()["error"].as_str().unwrap().starts_with("scope:"), "{}", scope.text());
    let missing = app.send_json_with(Method::DELETE, "/api/keys/999", &json!(null), ("cookie", &admin)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn loupe_refuses_an_open_address_without_auth_and_auth_without_accounts() {
    use clap::Parser;
    use loupe::cli::{Cli, Command};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let serve = |extra: &[&str]| {
        let mut argv = vec!["loupe", "serve", "--data-dir", data];
        if !extra.contains(&"--grpc-addr") {
            argv.extend(["--grpc-addr", "127.0.0.1:0"]);
        }
        argv.extend_from_slice(extra);
        let Command::Serve(args) = Cli::parse_from(argv).command else { unreachable!() };
        args
    };
    let open = loupe::start(&serve(&["--addr", "0.0.0.0:0"])).await.err().expect("refused").to_string();
    assert!(open.contains("refusing to listen on 0.0.0.0:0 without authentication"), "{open}");
    assert!(open.contains("--auth") && open.contains("loupe user add"), "says how: {open}");
    let grpc = loupe::start(&serve(&["--addr", "127.0.0.1:0", "--grpc-addr", "0.0.0.0:0"])).await.err().expect("refused").to_string();
    assert!(grpc.contains("refusing to take OTLP/gRPC on 0.0.0.0:0 without authentication") && grpc.contains("--grpc-addr off"), "{grpc}");
    let nobody = loupe::start(&serve(&["--addr", "0.0.0.0:0", "--auth"])).await.err().expect("refused").to_string();
    assert!(nobody.contains("no account exists") && nobody.contains("LOUPE_ADMIN_USER"), "{nobody}");
    let weak = serve(&["--addr", "127.0.0.1:0", "--auth", "--admin-user", "ada", "--admin-password", "short"]);
    let weak = loupe::start(&weak).await.err().expect("refused").to_string();
    assert!(weak.contains("at least 10 characters"), "{weak}");
    // With auth and an admin, any address will do.
    let ok = serve(&["--addr", "0.0.0.0:0", "--auth", "--admin-user", "ada", "--admin-password", ADMIN_PASSWORD]);
    loupe::start(&ok).await.expect("starts").shutdown().await.unwrap();
}

/// The `loupe user` and `loupe key` commands, run as a user would, against the
/// data directory of a Loupe that is running: changes apply at once.
#[tokio::test]
async fn the_cli_adds_accounts_and_makes_and_revokes_keys() {
    let app = spawn_auth_app(&[]).await;
    let data = app.dir.path().to_str().unwrap().to_string();
    let db_args = app.db.serve_args();
    let loupe = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_loupe"))
            .args(args)
            .args(["--data-dir", &data])
            .args(&db_args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (ok, out, _) = loupe(&["user", "add", "bob", "--password-stdin"], "bob's long password\n");
    assert!(ok && out.contains("Added bob as a member"), "{out}");
    let (ok, _, err) = loupe(&["user", "add", "bob", "--password-stdin"], "another long one\n");
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, _, err) = loupe(&["user", "add", "carol", "--password-stdin"], "short\n");
    assert!(!ok && err.contains("at least 10 characters"), "{err}");
    let (_, list, _) = loupe(&["user", "list"], "");
    assert!(list.contains("ada") && list.contains("admin") && list.contains("bob") && list.contains("member"), "{list}");
    assert!(app.sign_in("bob", "bob's long password").await.starts_with("loupe_session="));

    let (ok, key, err) = loupe(&["key", "create", "cli exporter"], "");
    let key = key.trim().to_string();
    assert!(ok && key.starts_with("loupe_") && err.contains("shown this once"), "{key} {err}");
    assert_eq!(app.post_otlp_with(fixture("genai.pb"), "application/x-protobuf", ("x-api-key", &key)).await.status, StatusCode::OK);
    let (_, keys, _) = loupe(&["key", "list"], "");
    assert!(keys.contains("cli exporter") && keys.contains(&key[..14]) && !keys.contains(&key), "{keys}");
    let (ok, _, _) = loupe(&["key", "revoke", "1"], "");
    assert!(ok);
    assert_eq!(
        app.post_otlp_with(fixture("genai.pb"), "application/x-protobuf", ("x-api-key", &key)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let (ok, _, err) = loupe(&["user", "remove", "ada"], "");
    assert!(!ok && err.contains("last admin"), "{err}");
}

/// `serve --demo` with `--auth` sends its demo data through the OTLP endpoint like
/// any exporter: with a key of its own, revoked once the data is in.
#[tokio::test]
async fn demo_data_arrives_with_a_key_of_its_own_which_is_then_revoked() {
    let app = spawn_auth_app(&[]).await;
    let admin = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    loupe::demo::seed_if_empty(app.running()).await.unwrap();
    let mut revoked = false;
    for _ in 0..600 {
        let keys = app.get_with("/api/keys", ("cookie", &admin)).await.json();
        revoked = keys[0]["revoked_ns"].is_i64();
        if revoked {
            assert_eq!(keys[0]["name"], "demo data (serve --demo)");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(revoked, "the demo's key is revoked once it is done");
    assert!(app.span_count(&admin).await > 10_000, "the demo data set is stored");
}
