#!/usr/bin/env bash
# The README's second command (and CI's): install everything, system packages included, start
# PostgreSQL and MariaDB if they are down, then lint, type-check and run the whole suite on
# SQLite, PostgreSQL and MariaDB. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# The two Perl libraries are OTOBO's password hashing (tests/test_otobo_password_vectors.py).
# mariadb-server: the third database (tests/conftest.py, root without a password on 127.0.0.1).
DEBIAN_PACKAGES=(slapd ldap-utils libldap-dev libsasl2-dev openssl
  libcrypt-eksblowfish-perl libcrypt-passwdmd5-perl mariadb-server mariadb-client)
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

mariadb_answers() { mariadb -h 127.0.0.1 -P 3306 -u root -e "SELECT 1" >/dev/null 2>&1; }
if ! mariadb-admin -h 127.0.0.1 -P 3306 ping >/dev/null 2>&1; then
  echo "== starting MariaDB"
  if [ -x /etc/init.d/mariadb ]; then
    /etc/init.d/mariadb start >/dev/null || true
  else
    (mysqld_safe >/dev/null 2>&1 &)
  fi
  for _ in $(seq 1 30); do mariadb-admin -h 127.0.0.1 -P 3306 ping >/dev/null 2>&1 && break; sleep 1; done
  mariadb-admin -h 127.0.0.1 -P 3306 ping
fi
if ! mariadb_answers; then
  # A fresh Debian install lets root in through the socket only: the tests log in over TCP.
  echo "== letting root log in to MariaDB on 127.0.0.1 without a password (test server)"
  mariadb -u root -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');"
  mariadb_answers
fi

echo "== installing Roster and its test tools"
ROSTER_EXTRAS=dev,ldap bash scripts/bootstrap.sh

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== pytest (SQLite, PostgreSQL and MariaDB)"
# One pytest worker per core, a test module kept on one worker (its module fixtures built
# once): 4 min 25 s against 7 min 54 s in one process for the whole suite on three databases
# (2 cores). ROSTER_TEST_WORKERS=0 runs in one process.
.venv/bin/pytest -n "${ROSTER_TEST_WORKERS:-auto}" --dist loadfile "$@"
