#!/usr/bin/env bash
# The README's first command: install, migrate the embedded SQLite database, load the demo data
# and serve Roster with GraphiQL on http://127.0.0.1:8000/graphql (no API key needed on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/roster db upgrade --config config/demo.toml
exec .venv/bin/roster serve --config config/demo.toml "$@"
