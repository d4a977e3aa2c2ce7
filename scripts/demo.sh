#!/usr/bin/env bash
# One command from a fresh clone to a running Loupe with demo data:
# installs what is needed, builds, starts on http://127.0.0.1:4318 (embedded SQLite)
# and fills an empty database with realistic agent traces.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
echo
echo "Starting Loupe with demo data: open http://${LOUPE_ADDR:-127.0.0.1:4318} (Ctrl-C stops it)"
exec target/release/loupe serve --demo "$@"
