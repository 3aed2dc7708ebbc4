#!/usr/bin/env bash
# The README's second command (and CI's): install everything, system packages included, start
# PostgreSQL if it is down, then lint, type-check and run the whole suite on SQLite and
# PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# The two Perl libraries are OTOBO's password hashing (tests/test_otobo_password_vectors.py).
DEBIAN_PACKAGES=(slapd ldap-utils libldap-dev libsasl2-dev openssl
  libcrypt-eksblowfish-perl libcrypt-passwdmd5-perl)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "== starting PostgreSQL"
  for version in $(ls /etc/postgresql 2>/dev/null); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432
fi

echo "== installing Roster and its test tools"
ROSTER_EXTRAS=dev,ldap bash scripts/bootstrap.sh

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest (SQLite and PostgreSQL)"
.venv/bin/pytest "$@"
