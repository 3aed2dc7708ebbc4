#!/usr/bin/env bash
# Shared by demo.sh and test.sh: a virtualenv in .venv with Roster installed (editable).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[${ROSTER_EXTRAS:-}]" 2>&1 \
  | grep -v "^WARNING: Location" || true
