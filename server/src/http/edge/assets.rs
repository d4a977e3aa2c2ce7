//! The UI's files (`/pkg/…`, `/favicon.svg`) are open to everyone, so the
//! gate lets them through without a session. Only files that exist under the
//! site root pass as such; any other path there (`/pkg/../traces/{id}`, a
//! typo) is a 404 before any handler sees it.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether `path` is in the open asset area.
pub fn is_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// The file `path` names under `root`, if it is a plain relative path to a file.
fn file_under(root: &Path, path: &str) -> Option<PathBuf> {
    let relative = Path::new(path.strip_prefix('/')?);
    // Percent-escapes and backslashes could spell `..` to the file server.
    if path.contains(['%', '\\']) || !relative.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = root.join(relative);
    file.is_file().then_some(file)
}

pub async fn check(State(root): State<Arc<PathBuf>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if is_asset(path) && file_under(&root, path).is_none() {
        return (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "no such file").into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_existing_files_under_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/loupe.js"), "x").unwrap();
        assert!(file_under(dir.path(), "/pkg/loupe.js").is_some());
        for bad in ["/pkg/../traces/ab", "/pkg/missing.js", "/pkg/%2e%2e/x", "/pkg/", "/pkg//etc/passwd", "/pkg/a\\..\\b"] {
            assert!(file_under(dir.path(), bad).is_none(), "{bad}");
        }
    }
}
