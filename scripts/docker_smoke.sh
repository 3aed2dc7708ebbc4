#!/usr/bin/env bash
# Build Roster's image and check it against a real PostgreSQL (README, "Running in containers"):
# it runs as a user without privileges, /livez and /readyz answer, Docker's HEALTHCHECK turns
# healthy, a GraphQL query answers with an API key made in the container, the database URL
# comes from a secret file (ROSTER_DATABASE__URL_FILE) and its password is never logged.
#
#   scripts/docker_smoke.sh                  # FROM the official python slim image (Docker Hub)
#   scripts/docker_smoke.sh --offline-base   # FROM a Debian base made here, without Docker Hub
#
# --offline-base makes `roster-base:bookworm` first (once; again with ROSTER_SMOKE_REBASE=1):
# debootstrap's minimal bookworm with Debian's python3 and venv, from the Debian mirror apt
# uses, plus this machine's extra CA certificates (/usr/local/share/ca-certificates, for a
# TLS-intercepting proxy; pip in the build is told to use the system's CA list), imported with
# `docker import`. It needs root, debootstrap and a Debian mirror; the build needs PyPI.
# The containers use the host's network (--network host): PostgreSQL is reached on
# 127.0.0.1, and a daemon without a bridge (dockerd --bridge=none) works too.
#
# Variables: ROSTER_SMOKE_PG (PostgreSQL admin URL, default postgresql://postgres@127.0.0.1:5432/postgres),
# ROSTER_SMOKE_PORT (the server's port, default a free one), ROSTER_SMOKE_IMAGE (default roster:smoke),
# ROSTER_DEBIAN_MIRROR (default the first deb.debian.org-style URI of apt's sources).
set -euo pipefail

cd "$(dirname "$0")/.."
offline=false
[ "${1:-}" = "--offline-base" ] && offline=true
IMAGE="${ROSTER_SMOKE_IMAGE:-roster:smoke}"
BASE_IMAGE="roster-base:bookworm"
PG="${ROSTER_SMOKE_PG:-postgresql://postgres@127.0.0.1:5432/postgres}"
PORT="${ROSTER_SMOKE_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
DB="roster_docker_smoke_$$"
NAME="roster-smoke-$$"
PASSWORD="smoke-pw-$$-never-logged"  # PostgreSQL's trust login ignores it; the logs must not show it
work="$(mktemp -d)"

cleanup() {
  docker rm -f "$NAME" >/dev/null 2>&1 || true
  psql -q "$PG" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "docker_smoke: FAILED at line $LINENO" >&2' ERR

fail() {
  echo "docker_smoke: FAILED: $*" >&2
  if docker container inspect "$NAME" >/dev/null 2>&1; then docker logs "$NAME" 2>&1 | tail -40 >&2; fi
  exit 1
}

debian_mirror() {
  if [ -n "${ROSTER_DEBIAN_MIRROR:-}" ]; then echo "$ROSTER_DEBIAN_MIRROR"; return; fi
  # The URI of the first source for "bookworm" (deb822 or one-line format).
  cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | awk '/^URIs: .*\/debian\/?$/ {print $2; exit} /^deb .*\/debian\/? bookworm / {print $2; exit}'
}

if $offline && { [ -n "${ROSTER_SMOKE_REBASE:-}" ] || ! docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; }; then
  mirror="$(debian_mirror)"
  [ -n "$mirror" ] || fail "no Debian mirror found in apt's sources (set ROSTER_DEBIAN_MIRROR)"
  echo "== $BASE_IMAGE: debootstrap bookworm from $mirror"
  rootfs="$work/rootfs"
  debootstrap --variant=minbase --include=python3,python3-venv,python-is-python3,ca-certificates \
    bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; fail "debootstrap"; }
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
  fi
  chroot "$rootfs" update-ca-certificates >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' --change 'CMD ["bash"]' \
    - "$BASE_IMAGE" >/dev/null
  rm -rf "$rootfs"
fi

echo "== building $IMAGE"
build_args=()
$offline && build_args+=(--build-arg "BASE=$BASE_IMAGE")
docker build --network host "${build_args[@]}" -t "$IMAGE" . >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; fail "docker build"; }
docker image inspect -f 'image {{.Id}} {{.Size}} bytes, user {{.Config.User}}' "$IMAGE"

echo "== scratch database $DB, its URL in a secret file"
psql -q "$PG" -c "CREATE DATABASE $DB" >/dev/null
host_port="${PG#*@}"; host_port="${host_port%%/*}"
mkdir -m 755 "$work/secrets"
echo "postgresql+asyncpg://postgres:$PASSWORD@$host_port/$DB" >"$work/secrets/database_url"
chmod 644 "$work/secrets/database_url"  # the image's user (uid 10001) reads it
run=(--network host -v "$work/secrets:/run/secrets:ro" -e ROSTER_DATABASE__URL_FILE=/run/secrets/database_url)

docker run --rm "${run[@]}" "$IMAGE" db upgrade >"$work/upgrade.log" 2>&1 \
  || { cat "$work/upgrade.log" >&2; fail "roster db upgrade"; }
docker run -d --name "$NAME" "${run[@]}" -e ROSTER_SERVER__PORT="$PORT" \
  -e ROSTER_SERVER__LOG_FORMAT=json "$IMAGE" serve --workers 2 >/dev/null
base="http://127.0.0.1:$PORT"

echo "== waiting for $base/livez"
for _ in $(seq 120); do
  curl -fsS "$base/livez" >/dev/null 2>&1 && break
  [ "$(docker inspect -f '{{.State.Running}}' "$NAME")" = true ] || fail "the container exited"
  sleep 0.5
done
livez="$(curl -fsS "$base/livez")" || fail "/livez"
echo "livez:  $livez"
readyz="$(curl -fsS "$base/readyz")" || fail "/readyz"
echo "readyz: $readyz"

uids="$(docker top "$NAME" -eo pid,uid,args | awk 'NR > 1 {print $2}' | sort -u | tr '\n' ' ')" \
  || fail "docker top"
echo "uids of the container's processes: $uids"
[ "$uids" = "10001 " ] || fail "a process in the container is not uid 10001"

key="$(docker exec "$NAME" roster api-key create --name smoke --scope read 2>/dev/null)" \
  || fail "roster api-key create in the container"
answer="$(curl -fsS "$base/graphql" -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d '{"query":"query Smoke { customers(first: 1) { totalCount } }"}')" || fail "POST /graphql"
echo "graphql: $answer"
python3 -c 'import json, sys; assert json.loads(sys.argv[1])["data"] == {"customers": {"totalCount": 0}}' \
  "$answer" || fail "unexpected GraphQL answer"

echo "== waiting for Docker's HEALTHCHECK"
for _ in $(seq 60); do
  health="$(docker inspect -f '{{.State.Health.Status}}' "$NAME")"
  [ "$health" = healthy ] && break
  sleep 1
done
echo "health: $health"
[ "$health" = healthy ] || fail "HEALTHCHECK is $health"

logs="$(docker logs "$NAME" 2>&1)"
if grep -q -e "$PASSWORD" -e "$key" <<<"$logs"; then fail "a secret is in the container's log"; fi
if grep -v '^Roster: ' <<<"$logs" | python3 -c 'import json, sys; [json.loads(l) for l in sys.stdin]'; then
  echo "log: $(wc -l <<<"$logs") lines, JSON, no secret"
else
  fail "a log line is not JSON"
fi
echo "docker_smoke: OK"
