//! Where the UI's built assets (wasm, JS, CSS) are: found beside the binary, so a
//! copied `loupe` with its `site/` folder runs from any directory.

use std::path::{Path, PathBuf};

/// The first candidate holding `pkg/loupe.js`: the explicit one, `site/` beside the
/// binary, `../site` (cargo-leptos puts the binary in `target/release`, the site in
/// `target/site`), then `target/site` under the working directory.
pub fn find(explicit: Option<&Path>) -> (PathBuf, bool) {
    if let Some(dir) = explicit {
        return (dir.to_path_buf(), has_assets(dir));
    }
    let mut candidates = Vec::new();
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|p| p.parent().map(Path::to_path_buf)) {
        candidates.push(exe_dir.join("site"));
        candidates.push(exe_dir.join("../site"));
    }
    candidates.push(PathBuf::from("target/site"));
    for dir in &candidates {
        if has_assets(dir) {
            return (dir.canonicalize().unwrap_or_else(|_| dir.clone()), true);
        }
    }
    (candidates.remove(0), false)
}

fn has_assets(dir: &Path) -> bool {
    dir.join("pkg/loupe.js").is_file()
}
