#!/usr/bin/env bash
# The official Python MCP SDK, both lines: 1.x (the initialize handshake,
# protocol 2025-11-25) and 2.x (protocol 2026-07-28, no handshake), against the
# release binary, over HTTP and stdio.
# Each line gets its own virtualenv under target/ (made once, kept).
# Usage: scripts/mcp-clients.sh   (after scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
for sdk in 1.30.0 2.3.0; do
  venv="target/mcp-python-$sdk"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mcp" 2>/dev/null; then
    echo "==> installing the Python MCP SDK $sdk (pip, once)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "mcp==$sdk"
  fi
  "$venv/bin/python" end2end/mcp/stock_clients.py target/release/loupe
done
