#!/usr/bin/env bash
# docker-build.sh (make docker): builds the course image (IMAGE, default nmatools:latest) from
# docker/Dockerfile, with the repository as the build context, on a machine like the project's
# Debian build machines:
#
#   1. The Docker engine: the running one; when none answers and this is root, it installs
#      Debian's docker.io if dockerd is missing and starts `dockerd DOCKERD_ARGS` in the
#      background (log: build/docker/dockerd.log).
#   2. The base image, BASE_IMAGE (default debian:bookworm-slim): used when present, else pulled;
#      when it cannot be pulled (no registry reachable), a Debian 12 base is made from the Debian
#      archive with mmdebstrap (minbase, bookworm + updates + security) and imported as
#      nmatools-base:bookworm, which the build then starts from.
#   3. Extra CA certificates to trust while building (behind a TLS-intercepting proxy, pip, the
#      Go proxy and PyPI fail with "certificate signed by unknown authority" without them):
#      EXTRA_CA_CERTS, a space-separated list of PEM files (paths without spaces); by default
#      the CA certificates installed locally on this machine (/usr/local/share/ca-certificates/,
#      Debian's place for them), none when that holds none. EXTRA_CA_CERTS= (empty) passes none. The image drops them at the end.
#   4. docker build --network host (DOCKER_BUILD_ARGS adds options, e.g. --build-arg VARIANT=cuda
#      or --no-cache), then prints the build time and the image size.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
IMAGE="${IMAGE:-nmatools:latest}"
BASE_IMAGE="${BASE_IMAGE:-debian:bookworm-slim}"
LOCAL_BASE="nmatools-base:bookworm"
LOG="$ROOT/build/docker"
mkdir -p "$LOG"
log() { echo "docker-build: $*"; }

cmp -s docker/Dockerfile binder/Dockerfile ||
  { echo "docker-build: binder/Dockerfile differs from docker/Dockerfile (it must be a copy): cp docker/Dockerfile binder/Dockerfile" >&2; exit 1; }

# --- 1. the engine ---------------------------------------------------------------------
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || { echo "docker-build: no Docker engine answers (docker info fails); start it, or run as root to let this script start dockerd" >&2; exit 1; }
  if ! command -v dockerd >/dev/null; then
    log "installing Debian's docker.io (apt)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 docker.io >/dev/null
  fi
  log "starting dockerd ${DOCKERD_ARGS:-} (log: $LOG/dockerd.log)"
  # shellcheck disable=SC2086
  setsid dockerd ${DOCKERD_ARGS:-} >"$LOG/dockerd.log" 2>&1 < /dev/null &
  log "dockerd runs on after this script (pid $!; stop it with: kill $!)"
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { tail -20 "$LOG/dockerd.log" >&2; echo "docker-build: dockerd did not start (log above)" >&2; exit 1; }
fi
log "engine: Docker $(docker version --format '{{.Server.Version}}'), storage driver $(docker info --format '{{.Driver}}')"

# --- 2. the base image -----------------------------------------------------------------
base="$BASE_IMAGE"
if docker image inspect "$base" >/dev/null 2>&1; then
  log "base image $base (present)"
elif docker pull -q "$base" >"$LOG/pull.log" 2>&1; then
  log "base image $base (pulled)"
elif [ "$BASE_IMAGE" = debian:bookworm-slim ]; then
  log "cannot pull $base ($(tail -1 "$LOG/pull.log")); making a Debian 12 base from the Debian archive instead"
  if docker image inspect "$LOCAL_BASE" >/dev/null 2>&1; then
    log "base image $LOCAL_BASE (made earlier)"
  else
    if ! command -v mmdebstrap >/dev/null; then
      [ "$(id -u)" = 0 ] || { echo "docker-build: mmdebstrap is missing: sudo apt-get install -y mmdebstrap" >&2; exit 1; }
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 mmdebstrap >/dev/null
    fi
    mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
    tar="$LOG/rootfs.tar"
    # Like the slim image: no manuals, documentation or translations.
    mmdebstrap --variant=minbase --include=ca-certificates \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
      bookworm "$tar" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
      "deb ${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security} bookworm-security main" \
      >"$LOG/mmdebstrap.log" 2>&1 || { tail -20 "$LOG/mmdebstrap.log" >&2; echo "docker-build: mmdebstrap failed (log above)" >&2; exit 1; }
    docker import -c 'CMD ["bash"]' "$tar" "$LOCAL_BASE" >/dev/null
    rm -f "$tar"
    log "base image $LOCAL_BASE made from $mirror (bookworm)"
  fi
  base="$LOCAL_BASE"
else
  cat "$LOG/pull.log" >&2; echo "docker-build: cannot pull BASE_IMAGE=$BASE_IMAGE" >&2; exit 1
fi

# --- 3. extra CA certificates ------------------------------------------------------------
if [ -z "${EXTRA_CA_CERTS+set}" ]; then
  EXTRA_CA_CERTS="$(find /usr/local/share/ca-certificates -name '*.crt' -type f 2>/dev/null | sort | tr '\n' ' ')"
fi
ca_pem=""
set -f  # the list is split on spaces, never globbed
for f in $EXTRA_CA_CERTS; do
  grep -q 'BEGIN CERTIFICATE' "$f" || { echo "docker-build: EXTRA_CA_CERTS: $f is not a PEM certificate file" >&2; exit 1; }
  ca_pem+="$(cat "$f")"$'\n'
done
set +f
[ -n "$ca_pem" ] && log "trusting while building: $EXTRA_CA_CERTS"

# --- 4. build ----------------------------------------------------------------------------
log "building $IMAGE from docker/Dockerfile (log: $LOG/build.log)"
t0=$(date +%s)
# shellcheck disable=SC2086
if ! docker build --network host -f docker/Dockerfile -t "$IMAGE" \
     --build-arg BASE_IMAGE="$base" --build-arg EXTRA_CA_CERTS="$ca_pem" \
     ${DOCKER_BUILD_ARGS:-} . 2>&1 | tee "$LOG/build.log"; then
  echo "docker-build: docker build failed (log: $LOG/build.log)" >&2; exit 1
fi
t1=$(date +%s)
size="$(docker image inspect -f '{{.Size}}' "$IMAGE")"
log "built $IMAGE in $(( (t1 - t0) / 60 )) min $(( (t1 - t0) % 60 )) s; image size $(awk "BEGIN { printf \"%.2f\", $size / 1e9 }") GB ($size bytes)"
