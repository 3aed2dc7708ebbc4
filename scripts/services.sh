#!/usr/bin/env bash
# The services the test suite talks to, installed (Debian packages) and started when they are
# missing or down, as scripts/test.sh needs them: PostgreSQL on 127.0.0.1:5432 (postgres, no
# password), MariaDB on 127.0.0.1:3306 (root, no password), Redis on 127.0.0.1:6379, slapd
# (the tests start their own), OTOBO's Perl password libraries, Chromium with its driver
# (tests/e2e), node and npm (tests/http_audit). Each step is a no-op when its service already
# answers, so running it again is harmless. The password-less logins are for a throwaway test
# machine only.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

DEBIAN_PACKAGES=(
  postgresql                                    # the server and pg_isready, pg_ctlcluster
  mariadb-server mariadb-client
  redis-server redis-tools
  slapd ldap-utils libldap-dev libsasl2-dev openssl   # tests/ldap; bonsai compiles against them
  libcrypt-eksblowfish-perl libcrypt-passwdmd5-perl   # tests/test_otobo_password_vectors.py
  chromium chromium-driver                      # tests/e2e: GraphiQL in a real browser
)
# tests/http_audit (the graphql-http audit suite) runs on node: Debian's, unless one is there.
command -v npm >/dev/null || DEBIAN_PACKAGES+=(nodejs npm)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  # policy-rc.d may forbid starting services on install (containers): they are started below.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

wait_for() {  # wait_for <what> <command…>: up to 30 s until the command succeeds
  local what="$1"; shift
  for _ in $(seq 1 30); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "$what does not answer after 30 s" >&2
  "$@"
}

# PostgreSQL
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "== starting PostgreSQL"
  if [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    version="$(ls /usr/lib/postgresql | sort -V | tail -1)"
    $SUDO pg_createcluster "$version" main >/dev/null
  fi
  for version in $(ls /etc/postgresql); do
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
fi
if ! psql -h 127.0.0.1 -U postgres -d postgres -w -Atc "SELECT 1" >/dev/null 2>&1; then
  # Debian's default asks for a password over TCP: the tests log in as postgres without one.
  echo "== letting postgres log in on 127.0.0.1 without a password (test server)"
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  done
  for version in $(ls /etc/postgresql); do
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload || true
  done
  wait_for "PostgreSQL (postgres without a password)" \
    psql -h 127.0.0.1 -U postgres -d postgres -w -Atc "SELECT 1"
fi

# MariaDB
mariadb_answers() { mariadb -h 127.0.0.1 -P 3306 -u root -e "SELECT 1" >/dev/null 2>&1; }
if ! mariadb-admin -h 127.0.0.1 -P 3306 ping >/dev/null 2>&1; then
  echo "== starting MariaDB"
  if [ -x /etc/init.d/mariadb ]; then
    $SUDO /etc/init.d/mariadb start >/dev/null || true
  else
    ($SUDO mysqld_safe >/dev/null 2>&1 &)
  fi
  wait_for MariaDB mariadb-admin -h 127.0.0.1 -P 3306 ping
fi
if ! mariadb_answers; then
  # A fresh Debian install lets root in through the socket only: the tests log in over TCP.
  echo "== letting root log in to MariaDB on 127.0.0.1 without a password (test server)"
  $SUDO mariadb -u root -e "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
    GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
    ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');"
  mariadb_answers
fi

# Redis
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "== starting Redis"
  if [ -x /etc/init.d/redis-server ]; then
    $SUDO /etc/init.d/redis-server start >/dev/null || true
  fi
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    $SUDO redis-server --bind 127.0.0.1 --port 6379 --daemonize yes >/dev/null
  fi
  wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
fi
echo "== PostgreSQL, MariaDB and Redis answer on 127.0.0.1"
