#!/usr/bin/env bash
# The README's second command (and CI's): install everything, system packages included, start
# PostgreSQL, MariaDB and Redis if they are down (scripts/services.sh), then lint, type-check
# and run the whole suite on SQLite, PostgreSQL and MariaDB. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL, MariaDB and Redis (installed from Debian's packages and started when missing or
# down), the LDAP, Perl and browser packages the tests use.
bash scripts/services.sh

echo "== installing Roster and its test tools"
ROSTER_EXTRAS=dev,ldap bash scripts/bootstrap.sh

# The graphql-http audit suite (tests/http_audit), pinned by its package-lock.json: installed
# from the npm registry when missing or older than the lock file.
installed=tests/http_audit/node_modules/.package-lock.json
if [ ! -f "$installed" ] || [ tests/http_audit/package-lock.json -nt "$installed" ]; then
  echo "== installing the graphql-http audit suite (npm ci)"
  npm ci --prefix tests/http_audit --no-audit --no-fund --silent
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest (SQLite, PostgreSQL and MariaDB)"
# The 30 slowest tests are listed at the end (what tests/conftest.HEAVIEST_FIRST orders by).
# One pytest worker per core, a test module kept on one worker (its module fixtures built
# once): 4 min 25 s against 7 min 54 s in one process for the whole suite on three databases
# (2 cores). ROSTER_TEST_WORKERS=0 runs in one process.
.venv/bin/pytest -n "${ROSTER_TEST_WORKERS:-auto}" --dist loadfile --durations=30 "$@"
