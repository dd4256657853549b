#!/usr/bin/env bash
# Proves the Dockerfile on a machine without a container registry (docs/production.md, "Proof"):
# builds the image with buildah from a Debian base made by debootstrap, runs a migration and two
# workers at once on a fresh database (all three prepare it together: the migration lock), then
# the web, waits for /api/health to answer 200, runs both health checks, and removes what it
# started (containers, database; the image stays unless KEEP_IMAGE=0).
#
# Needs: root, `apt-get install -y podman buildah runc debootstrap`, a PostgreSQL on
# $PG_HOST:$PG_PORT that $PG_USER may create databases on (default postgres@127.0.0.1:5432).
# crun fails on these machines, so everything runs on runc, with explicit ulimits.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/switchboard:proof}
BASE_IMAGE=${BASE_IMAGE:-localhost/debian-base:bookworm}
ROOTFS=${ROOTFS:-/tmp/deb-rootfs}
PG_HOST=${PG_HOST:-127.0.0.1}
PG_PORT=${PG_PORT:-5432}
PG_USER=${PG_USER:-postgres}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_IMAGE=${KEEP_IMAGE:-1}
RUNTIME=(--runtime /usr/sbin/runc)
LIMITS=(--ulimit nofile=20000:20000 --ulimit nproc=4096:4096)
DB="switchboard_proof_$$"
PREFIX="sb-proof-$$"
started=$SECONDS
step() { printf '\n=== %s (%ss)\n' "$1" "$((SECONDS - started))"; }

cleanup() {
  local code=$?
  step "cleanup"
  for name in web worker-1 worker-2 migrate; do
    podman "${RUNTIME[@]}" rm -f -t 5 "$PREFIX-$name" >/dev/null 2>&1 || true
  done
  psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qAtc "drop database if exists $DB with (force)" || true
  if [ "$KEEP_IMAGE" = 0 ]; then podman rmi -f "$IMAGE" >/dev/null 2>&1 || true; fi
  exit "$code"
}
trap cleanup EXIT

for tool in podman buildah debootstrap psql curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y podman buildah runc debootstrap)" >&2; exit 1; }
done
[ -x /usr/sbin/runc ] || { echo "missing /usr/sbin/runc (apt-get install -y runc)" >&2; exit 1; }

step "base image $BASE_IMAGE"
if ! podman image exists "$BASE_IMAGE"; then
  if [ ! -x "$ROOTFS/bin/sh" ]; then
    debootstrap --variant=minbase bookworm "$ROOTFS" http://deb.debian.org/debian
  fi
  # This machine reaches the npm registry through a TLS-inspecting proxy whose CA is in
  # /usr/local/share/ca-certificates; the base carries it, as a company's own base image would
  # (the image's ca-certificates then trusts it, and NODE_EXTRA_CA_CERTS makes Node use it).
  mkdir -p "$ROOTFS/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ROOTFS/usr/local/share/ca-certificates/" 2>/dev/null || true
  tar -C "$ROOTFS" -c . | podman import - "$BASE_IMAGE"
fi
podman image inspect --format '{{.Id}} {{.Size}} bytes' "$BASE_IMAGE"

if [ "$SKIP_BUILD" != 1 ]; then
  step "build $IMAGE (buildah bud; one build on a shared machine)"
  build_started=$SECONDS
  # --format docker keeps HEALTHCHECK (the OCI image format has no field for it).
  buildah bud "${RUNTIME[@]}" "${LIMITS[@]}" --network host --format docker --layers \
    --build-arg BASE="$BASE_IMAGE" -t "$IMAGE" -f Dockerfile .
  echo "build took $((SECONDS - build_started)) s"
fi
podman image inspect --format 'image {{.Id}}: {{.Size}} bytes; user {{.Config.User}}; healthcheck {{.Config.Healthcheck.Test}}' "$IMAGE"

step "fresh database $DB on $PG_HOST:$PG_PORT"
psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qAtc "create database $DB"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
APP_SECRET=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
ENV_ARGS=(
  -e "DATABASE_URL=postgres://$PG_USER@$PG_HOST:$PG_PORT/$DB"
  -e "APP_SECRET=$APP_SECRET"
  -e "ADMIN_EMAIL=admin@example.com" -e "ADMIN_PASSWORD=proof-password-1234"
  -e "PORT=$PORT" -e "HOST=127.0.0.1"
)
run() { # name, then podman run arguments after the image's
  local name=$1
  shift
  podman "${RUNTIME[@]}" run -d --name "$PREFIX-$name" --hostname "$PREFIX-$name" --network host \
    "${LIMITS[@]}" --health-interval disable "${ENV_ARGS[@]}" "$@"
}

step "migrate + two workers, started at once on the empty database"
run migrate "$IMAGE" migrate >/dev/null
run worker-1 --health-cmd "node /app/deploy/healthcheck.mjs worker" "$IMAGE" worker >/dev/null
run worker-2 --health-cmd "node /app/deploy/healthcheck.mjs worker" "$IMAGE" worker >/dev/null
migrate_code=$(podman wait "$PREFIX-migrate")
podman logs "$PREFIX-migrate" 2>&1 | tail -n 5
[ "$migrate_code" = 0 ] || { echo "migrate exited $migrate_code" >&2; exit 1; }
echo "migrate exited 0 after $((SECONDS - started)) s"

step "web on 127.0.0.1:$PORT"
run web "$IMAGE" web >/dev/null
web_started=$SECONDS
status=000
until [ "$status" = 200 ]; do
  if [ $((SECONDS - web_started)) -gt 180 ]; then
    echo "no 200 from /api/health within 180 s (last: $status)" >&2
    for name in web worker-1 worker-2; do echo "--- $name"; podman logs "$PREFIX-$name" 2>&1 | tail -n 20; done
    exit 1
  fi
  for name in worker-1 worker-2 web; do
    if [ "$(podman inspect -f '{{.State.Running}}' "$PREFIX-$name")" != true ]; then
      echo "$name stopped:" >&2
      podman logs "$PREFIX-$name" 2>&1 | tail -n 30 >&2
      exit 1
    fi
  done
  sleep 2
  status=$(curl -s -o /tmp/"$PREFIX"-health.json -w '%{http_code}' "http://127.0.0.1:$PORT/api/health" || true)
done
echo "GET /api/health -> 200 after $((SECONDS - web_started)) s"
python3 -c 'import json,sys; h=json.load(open(sys.argv[1])); print({k: h[k]["ok"] for k in ("db","migrations","worker","queues")}, "workers:", h["worker"]["workers"])' /tmp/"$PREFIX"-health.json
rm -f /tmp/"$PREFIX"-health.json

step "inside the image"
podman exec "$PREFIX-web" sh -c 'echo "user $(id -u):$(id -g) ($(id -un)); node $(node --version); $(chromium --version)"'
for name in web worker-1 worker-2; do
  printf '%s health check: ' "$name"
  podman "${RUNTIME[@]}" healthcheck run "$PREFIX-$name" && echo ok
done
podman logs "$PREFIX-worker-1" 2>&1 | grep -m1 -o '"msg":"worker started"' || true

step "stop (SIGTERM): exit codes"
podman stop -t 15 "$PREFIX-web" "$PREFIX-worker-1" "$PREFIX-worker-2" >/dev/null
for name in web worker-1 worker-2; do
  echo "$name exited $(podman inspect -f '{{.State.ExitCode}}' "$PREFIX-$name")"
done

step "proved"
