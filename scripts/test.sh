#!/usr/bin/env bash
# One command from a fresh clone to every test: installs what is needed (toolchain
# pieces, npm packages, chromium, PostgreSQL), builds, then runs the Rust unit and
# integration tests on SQLite, the integration tests again on PostgreSQL, and the
# browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
printf '\n==> PostgreSQL for the second run of the integration tests\n'
POSTGRES_URL=$(scripts/postgres.sh)
case "$POSTGRES_URL" in
  postgres://*) ;;
  *) printf 'scripts/postgres.sh printed %q, not a postgres:// URL\n' "$POSTGRES_URL" >&2; exit 1 ;;
esac
scripts/build.sh

printf '\n==> Rust unit and integration tests (SQLite)\n'
cargo test --release -p loupe -p app

printf '\n==> the same tests again, on PostgreSQL (each test in its own schema)\n'
# The same packages as above, so cargo reuses the build instead of resolving
# features anew; the app's unit tests are fast and do not touch a database.
LOUPE_TEST_POSTGRES="$POSTGRES_URL" cargo test --release -p loupe -p app

printf '\n==> browser tests (headless chromium)\n'
(cd end2end && npm test)
