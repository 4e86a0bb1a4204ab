#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver from Debian (for the api's browser tests)
# when they are missing. `make test` runs this; it is a no-op on a prepared machine.
set -euo pipefail

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
  exit 0
fi

SUDO=()
if [[ "$(id -u)" != 0 ]]; then
  if command -v sudo >/dev/null; then
    SUDO=(sudo)
  else
    echo "[browser] chromium and chromium-driver are missing; install them as root:" >&2
    echo "          apt-get update && apt-get install -y chromium chromium-driver" >&2
    exit 1
  fi
fi

echo "[browser] installing chromium and chromium-driver with apt" >&2
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium chromium-driver
"$CHROMIUM" --version
"$CHROMEDRIVER" --version
