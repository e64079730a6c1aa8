#!/bin/sh
# Container entrypoint: exports the backend choice made at build time (docker/backend.env,
# empty for the CPU image: the XLA CPU plugin in build/pjrt is found by itself), then runs
# the command (default: make lab).
set -e
if [ -s /opt/nmatools/docker/backend.env ] && [ -z "${GOMLX_BACKEND:-}" ]; then
  set -a; . /opt/nmatools/docker/backend.env; set +a
fi
exec "$@"
