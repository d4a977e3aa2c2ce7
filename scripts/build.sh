#!/usr/bin/env bash
# Builds the release binaries (loupe, loupe-bench) and the UI's assets (target/site).
set -euo pipefail
cd "$(dirname "$0")/.."
# cargo-leptos finds wasm-opt on PATH; ours comes from npm.
export PATH="$PWD/end2end/node_modules/.bin:$PATH"
cargo leptos build --release
cargo build --release -p loupe --bins
