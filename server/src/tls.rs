//! The process's TLS set-up for outbound HTTPS (webhooks, `loupe demo`).

/// Makes ring rustls's crypto provider for every HTTPS client of this process:
/// reqwest is built without a provider of its own. Call before creating an HTTP
/// client; repeated calls are harmless.
pub fn install() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
