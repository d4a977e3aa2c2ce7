//! Helpers for Loupe with `--auth`: an admin from the command line, sign-in
//! through the real form, and requests carrying a cookie or a key.

use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde_json::Value;

use super::{Answer, FormPairs, TestApp, answer, spawn_app_with};

pub const ADMIN: &str = "ada";
pub const ADMIN_PASSWORD: &str = "ada's long password";

/// Loupe with `--auth` and the first admin from `--admin-user`/`--admin-password`.
pub async fn spawn_auth_app(extra: &[&str]) -> TestApp {
    let mut argv = vec!["--auth", "--admin-user", ADMIN, "--admin-password", ADMIN_PASSWORD];
    argv.extend_from_slice(extra);
    let mut app = spawn_app_with(&argv).await;
    // Redirects are what the tests look at.
    app.client = super::client_builder().redirect(Policy::none()).build().unwrap();
    app
}

/// A `Cookie` header value of the session cookie in a `Set-Cookie` answer.
pub fn session_cookie(a: &Answer) -> String {
    let set = a.headers.get("set-cookie").unwrap_or_else(|| panic!("no Set-Cookie in {:?}", a.headers)).to_str().unwrap();
    set.split(';').next().unwrap().to_string()
}

impl TestApp {
    /// Posts the sign-in form as a browser would.
    pub async fn post_login(&self, name: &str, password: &str, next: &str) -> Answer {
        let form = [("name", name), ("password", password), ("next", next)];
        answer(self.client.post(format!("{}/login", self.base)).form_pairs(&form).send().await.unwrap()).await
    }

    /// Signs in and returns the `Cookie` header to send.
    pub async fn sign_in(&self, name: &str, password: &str) -> String {
        let a = self.post_login(name, password, "/").await;
        assert_eq!(a.status, StatusCode::SEE_OTHER);
        session_cookie(&a)
    }

    pub async fn get_with(&self, path: &str, header: (&str, &str)) -> Answer {
        answer(self.client.get(format!("{}{path}", self.base)).header(header.0, header.1).send().await.unwrap()).await
    }

    /// A JSON request with one extra header (a cookie, a key, an Origin…).
    pub async fn send_json_with(&self, method: reqwest::Method, path: &str, body: &Value, header: (&str, &str)) -> Answer {
        let req = self.client.request(method, format!("{}{path}", self.base)).header(header.0, header.1).json(body);
        answer(req.send().await.unwrap()).await
    }

    /// An OTLP export with one extra header (the API key).
    pub async fn post_otlp_with(&self, body: Vec<u8>, content_type: &str, header: (&str, &str)) -> Answer {
        let req =
            self.client.post(format!("{}/v1/traces", self.base)).header("content-type", content_type).header(header.0, header.1).body(body);
        answer(req.send().await.unwrap()).await
    }

    /// Creates an API key as the signed-in `cookie`; returns the key.
    pub async fn create_key(&self, cookie: &str, name: &str, scope: &str) -> String {
        let made = self
            .send_json_with(reqwest::Method::POST, "/api/keys", &serde_json::json!({"name": name, "scope": scope}), ("cookie", cookie))
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
        made.json()["key"].as_str().unwrap().to_string()
    }

    /// Spans stored, asked as the signed-in `cookie`.
    pub async fn span_count(&self, cookie: &str) -> u64 {
        let s = self.get_with("/api/stats/summary", ("cookie", cookie)).await;
        assert_eq!(s.status, StatusCode::OK, "{}", s.text());
        s.json()["spans"].as_u64().unwrap()
    }
}
