#!/usr/bin/env bash
# Shared by demo.sh and test.sh: a virtualenv in .venv with Roster installed (editable).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
spec="."
if [ -n "${ROSTER_EXTRAS:-}" ]; then spec=".[${ROSTER_EXTRAS}]"; fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
