#!/usr/bin/env bash
# One command from a fresh clone to every test: installs what is needed (toolchain
# pieces, npm packages, chromium), builds, then runs the Rust unit and integration
# tests and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
scripts/build.sh

printf '\n==> Rust unit and integration tests\n'
cargo test --release -p loupe -p app

printf '\n==> browser tests (headless chromium)\n'
(cd end2end && npm test)
