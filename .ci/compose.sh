#!/usr/bin/env bash
# compose.yaml stays a valid Compose file: `docker compose config` parses and resolves it
# (with throwaway secrets, as its header's command sets them) wherever the Docker CLI with
# the compose plugin is installed; the daemon need not run. Elsewhere the check is skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v docker >/dev/null 2>&1 || ! docker compose version >/dev/null 2>&1; then
  echo "[compose] no docker compose here; compose.yaml not checked" >&2
  echo "compose: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
if JWT_SECRET=compose-check-compose-check-compose-check \
  SECRETS_KEY=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
  docker compose -f compose.yaml config --quiet; then
  echo "compose: 1 passed, 0 failed"
else
  echo "[compose] docker compose cannot read compose.yaml" >&2
  echo "compose: 0 passed, 1 failed"
  exit 1
fi
