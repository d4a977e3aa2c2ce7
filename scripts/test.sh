#!/usr/bin/env bash
# One command from a fresh clone to every test: installs what is needed (toolchain
# pieces, npm packages, chromium, PostgreSQL), checks the house (formatting, the
# one-way imports, clippy), builds, then runs the Rust unit and integration tests
# on SQLite, the integration tests again on PostgreSQL, the browser tests, and
# the official Python MCP SDK against the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser

# The quick checks first: a formatting slip or an import reaching up fails in
# seconds, not after the long build.
printf '\n==> cargo fmt --check\n'
cargo fmt --all --check
printf '\n==> imports point one way (scripts/layers.py, docs/architecture.md)\n'
python3 scripts/layers.py
printf '\n==> every inline handler has its hash in the CSP (scripts/csp_hashes.py)\n'
python3 scripts/csp_hashes.py
printf '\n==> clippy, warnings as errors (server and app; the wasm hydrate build)\n'
cargo clippy -p loupe -p app --all-targets -- -D warnings
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

printf '\n==> PostgreSQL for the second run of the integration tests\n'
POSTGRES_URL=$(scripts/postgres.sh)
case "$POSTGRES_URL" in
  postgres://*) ;;
  *) printf 'scripts/postgres.sh printed %q, not a postgres:// URL\n' "$POSTGRES_URL" >&2; exit 1 ;;
esac
scripts/build.sh

printf '\n==> Rust unit and integration tests (SQLite)\n'
# One test at a time: the integration tests are one binary now, and with two at
# once a trace page request got no answer within 60 s in 3 of about 17 runs here,
# each time while the self-trace tests ran beside it (not yet explained; see the
# closing note of issue 15). One at a time costs about 35 s more per database.
cargo test --release -p loupe -p app -- --test-threads=1

printf '\n==> the same tests again, on PostgreSQL (each test in its own schema)\n'
# The same packages as above, so cargo reuses the build instead of resolving
# features anew; the app's unit tests are fast and do not touch a database.
LOUPE_TEST_POSTGRES="$POSTGRES_URL" cargo test --release -p loupe -p app -- --test-threads=1

printf '\n==> browser tests (headless chromium)\n'
(cd end2end && npm test)

printf '\n==> stock MCP clients: the official Python SDK 1.x and 2.x over HTTP and stdio\n'
scripts/mcp-clients.sh
