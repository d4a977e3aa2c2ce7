//! Access control for people: with `--auth` pages redirect to sign-in, sessions
//! are HttpOnly/SameSite cookies (Secure behind HTTPS) that end at sign-out,
//! state changes from other sites are refused, admins alone manage access, and a
//! share link still opens its one trace for someone who never signed in.

use crate::common;

use common::access::*;
use common::*;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn pages_redirect_to_sign_in_and_come_back() {
    let app = spawn_auth_app(&[]).await;
    let page = app.get("/traces/0123456789abcdef0123456789abcdef?span=0123456789abcdef").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.headers["location"], "/login?next=%2Ftraces%2F0123456789abcdef0123456789abcdef%3Fspan%3D0123456789abcdef");
    for path in ["/", "/alerts", "/access", "/costs", "/no-such-page"] {
        assert_eq!(app.get(path).await.status, StatusCode::SEE_OTHER, "{path}");
    }
    let rpc = app.client.post(format!("{}/rpc/traces", app.base)).json(&json!({})).send().await.unwrap();
    assert_eq!(rpc.status(), StatusCode::UNAUTHORIZED);
    assert!(rpc.text().await.unwrap().contains("Unauthorized"), "server functions get an error they decode");
    // What a signed-out visitor may load: the sign-in page and its assets.
    let login = app.get("/login?next=%2Falerts").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.text().contains("data-testid=\"login-form\""));
    assert!(login.text().contains("value=\"/alerts\""), "the form carries where to go next");
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);

    let wrong = app.post_login(ADMIN, "not the password", "/alerts").await;
    assert_eq!(wrong.status, StatusCode::SEE_OTHER);
    assert_eq!(wrong.headers["location"], "/login?failed=1&next=%2Falerts");
    assert!(wrong.headers.get("set-cookie").is_none());
    assert!(app.get("/login?failed=1").await.text().contains("Wrong name or password"));
    let nobody = app.post_login("nobody", ADMIN_PASSWORD, "/").await;
    assert_eq!(nobody.headers["location"], "/login?failed=1&next=%2F", "an unknown name is answered like a wrong password");

    let ok = app.post_login(ADMIN, ADMIN_PASSWORD, "/alerts").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.headers["location"], "/alerts");
    let set = ok.headers["set-cookie"].to_str().unwrap();
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(set.contains(attr), "{attr}: {set}");
    }
    assert!(!set.contains("Secure"), "plain http: a Secure cookie would never come back");
    let cookie = session_cookie(&ok);
    let home = app.get_with("/", ("cookie", &cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains(&format!("class=\"account-name\">{ADMIN}<")), "the header says who is signed in");
    // An address from elsewhere is not followed after signing in.
    let away = app.post_login(ADMIN, ADMIN_PASSWORD, "//evil.example/phish").await;
    assert_eq!(away.headers["location"], "/");

    // Sign-out ends the session on the server, not only in the browser.
    let out = app.client.post(format!("{}/logout", app.base)).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(out.headers()["set-cookie"].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(app.get_with("/", ("cookie", &cookie)).await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_cookie_is_secure_behind_https() {
    let app = spawn_auth_app(&[]).await;
    let form = [("name", ADMIN), ("password", ADMIN_PASSWORD), ("next", "/")];
    let proxied =
        app.client.post(format!("{}/login", app.base)).header("x-forwarded-proto", "https").form_pairs(&form).send().await.unwrap();
    assert!(proxied.headers()["set-cookie"].to_str().unwrap().contains("; Secure"));
    let public = spawn_auth_app(&["--public-url", "https://loupe.example.com"]).await;
    assert!(public.post_login(ADMIN, ADMIN_PASSWORD, "/").await.headers["set-cookie"].to_str().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn state_changes_from_other_sites_are_refused() {
    let rule = json!({"name": "slow tools", "match": {"kind": "tool"}, "condition": {"type": "span_duration", "threshold_ms": 2000}});
    // Without auth too: a page on another site can reach 127.0.0.1 through the browser.
    let open = spawn_app().await;
    let forged = open.send_json_with(Method::POST, "/api/alerts/rules", &rule, ("origin", "https://evil.example")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.json()["error"].as_str().unwrap().contains("evil.example"));
    let fetched = open.send_json_with(Method::POST, "/api/alerts/rules", &rule, ("sec-fetch-site", "cross-site")).await;
    assert_eq!(fetched.status, StatusCode::FORBIDDEN);
    assert_eq!(open.get("/api/alerts/rules").await.json(), json!([]), "nothing was created");
    let same = open.send_json_with(Method::POST, "/api/alerts/rules", &rule, ("sec-fetch-site", "same-origin")).await;
    assert_eq!(same.status, StatusCode::CREATED, "{}", same.text());

    let app = spawn_auth_app(&[]).await;
    let cookie = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let forms = app
        .client
        .post(format!("{}/rpc/key_create", app.base))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .form_pairs(&[("name", "stolen"), ("scope", "api")])
        .send()
        .await
        .unwrap();
    assert_eq!(forms.status(), StatusCode::FORBIDDEN, "a no-JS form posted from elsewhere");
    assert_eq!(app.get_with("/api/keys", ("cookie", &cookie)).await.json(), json!([]));
    let login = app
        .client
        .post(format!("{}/login", app.base))
        .header("sec-fetch-site", "cross-site")
        .form_pairs(&[("name", ADMIN), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::FORBIDDEN, "no signing in someone from another site");
}

#[tokio::test]
async fn only_admins_manage_accounts_and_keys() {
    let app = spawn_auth_app(&[]).await;
    let admin = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let add = |body: Value, cookie: String| {
        let app = &app;
        async move { app.send_json_with(Method::POST, "/api/accounts", &body, ("cookie", &cookie)).await }
    };
    let bob = add(json!({"name": "bob", "password": "bob's long password"}), admin.clone()).await;
    assert_eq!(bob.status, StatusCode::CREATED, "{}", bob.text());
    assert_eq!(bob.json()["admin"], false);
    assert!(!bob.text().contains("password"), "no hash goes back");
    let dup = add(json!({"name": "bob", "password": "another long one"}), admin.clone()).await;
    assert_eq!(dup.status, StatusCode::BAD_REQUEST);
    assert!(dup.json()["error"].as_str().unwrap().contains("exists already"));
    let short = add(json!({"name": "carl", "password": "short"}), admin.clone()).await;
    assert!(short.json()["error"].as_str().unwrap().contains("at least 10 characters"));
    let odd = add(json!({"name": "<b>", "password": "long enough pw"}), admin.clone()).await;
    assert!(odd.json()["error"].as_str().unwrap().starts_with("name:"));

    let member = app.sign_in("bob", "bob's long password").await;
    assert_eq!(app.get_with("/api/me", ("cookie", &member)).await.json(), json!({"auth": true, "name": "bob", "admin": false}));
    let page = app.get_with("/access", ("cookie", &member)).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("data-testid=\"keys\"")
            && !html.contains("data-testid=\"key-form\"")
            && !html.contains("data-testid=\"account-form\"")
    );
    let key = app.send_json_with(Method::POST, "/api/keys", &json!({"name": "mine"}), ("cookie", &member)).await;
    assert_eq!(key.status, StatusCode::FORBIDDEN);
    assert!(key.json()["error"].as_str().unwrap().contains("only an admin"));
    let rpc = app
        .client
        .post(format!("{}/rpc/key_create", app.base))
        .header("cookie", &member)
        .form_pairs(&[("name", "mine"), ("scope", "api")])
        .send()
        .await
        .unwrap();
    assert_eq!(rpc.status(), StatusCode::FORBIDDEN, "the page's server function checks too");
    let remove = app.send_json_with(Method::DELETE, &format!("/api/accounts/{ADMIN}"), &json!(null), ("cookie", &member)).await;
    assert_eq!(remove.status, StatusCode::FORBIDDEN);

    let own = app.send_json_with(Method::DELETE, &format!("/api/accounts/{ADMIN}"), &json!(null), ("cookie", &admin)).await;
    assert_eq!(own.status, StatusCode::BAD_REQUEST);
    // Removing an account ends its sessions at once.
    let gone = app.send_json_with(Method::DELETE, "/api/accounts/bob", &json!(null), ("cookie", &admin)).await;
    assert_eq!(gone.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get_with("/", ("cookie", &member)).await.status, StatusCode::SEE_OTHER);
    let names: Vec<_> =
        app.get_with("/api/accounts", ("cookie", &admin)).await.json().as_array().unwrap().iter().map(|a| a["name"].clone()).collect();
    assert_eq!(names, vec![json!(ADMIN)]);
}

#[tokio::test]
async fn a_share_link_opens_its_one_trace_without_signing_in() {
    let mut app = spawn_auth_app(&[]).await;
    let admin = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let key = app.create_key(&admin, "exporter", "ingest").await;
    for (f, ct) in [("genai.pb", "application/x-protobuf"), ("openinference.json", "application/json")] {
        assert_eq!(app.post_otlp_with(fixture(f), ct, ("x-api-key", &key)).await.status, StatusCode::OK);
    }
    let (a, b) = (fixture_trace_id("genai.pb"), fixture_trace_id("openinference.json"));
    let made = app.send_json_with(Method::POST, &format!("/api/traces/{a}/share"), &json!({"expires_in": "1h"}), ("cookie", &admin)).await;
    assert_eq!(made.status, StatusCode::CREATED);
    let made = made.json();
    let token = made["token"].as_str().unwrap().to_string();

    // No cookie, no key: the shared page and its spans open; nothing else does.
    let page = app.get(&format!("/share/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains(&format!("data-trace-id=\"{a}\"")));
    assert_eq!(app.get(&format!("/api/share/{token}")).await.json()["trace_id"], a.as_str());
    let span_of = |trace: Value| trace["spans"][0]["span_id"].as_str().unwrap().to_string();
    let span_a = span_of(app.get_with(&format!("/api/traces/{a}"), ("cookie", &admin)).await.json());
    let span_b = span_of(app.get_with(&format!("/api/traces/{b}"), ("cookie", &admin)).await.json());
    assert!(app.get(&format!("/share/{token}?span={span_a}")).await.text().contains("data-testid=\"span-detail\""));
    let shared_span = |trace: String, span: String| {
        let body = format!("token={token}&trace_id={trace}&span_id={span}");
        let req =
            app.client.post(format!("{}/rpc/shared_span", app.base)).header("content-type", "application/x-www-form-urlencoded").body(body);
        async move { req.send().await.unwrap() }
    };
    assert_eq!(shared_span(a.clone(), span_a.clone()).await.status(), StatusCode::OK);
    assert!(shared_span(b.clone(), span_b.clone()).await.text().await.unwrap().contains("another trace"));
    assert_eq!(app.get(&format!("/traces/{a}")).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get(&format!("/api/traces/{b}")).await.status, StatusCode::UNAUTHORIZED);
    let rpc_span = app
        .client
        .post(format!("{}/rpc/span", app.base))
        .form_pairs(&[("trace_id", b.as_str()), ("span_id", span_b.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(rpc_span.status(), StatusCode::UNAUTHORIZED, "the signed-in span endpoint stays closed");

    // Revoked: gone, for everyone.
    let id = made["id"].as_i64().unwrap();
    let del = app.send_json_with(Method::DELETE, &format!("/api/traces/{a}/share/{id}"), &json!(null), ("cookie", &admin)).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/share/{token}")).await.status, StatusCode::GONE);
    assert_eq!(shared_span(a.clone(), span_a.clone()).await.status(), StatusCode::GONE);

    // Expired: a second link, its expiry moved into the past as time would.
    let second = app.send_json_with(Method::POST, &format!("/api/traces/{a}/share"), &json!({}), ("cookie", &admin)).await.json();
    let token2 = second["token"].as_str().unwrap().to_string();
    assert_eq!(app.get(&format!("/share/{token2}")).await.status, StatusCode::OK);
    app.expire_share_links().await;
    let expired = app.get(&format!("/share/{token2}")).await;
    assert_eq!(expired.status, StatusCode::GONE);
    assert!(expired.text().contains("expired"));
}
