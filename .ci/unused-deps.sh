#!/usr/bin/env bash
# Dependencies a crate declares but never uses, found by cargo-machete (it reads the
# sources, so it needs no build). Exceptions are listed in the crate's Cargo.toml under
# [package.metadata.cargo-machete] ignored = [...], each with the reason beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.9.2
if ! cargo machete --version 2>/dev/null | grep -q "$version"; then
  cargo install cargo-machete --locked --version "=$version"
fi
if cargo machete --with-metadata; then
  echo "unused-deps: 1 passed, 0 failed"
else
  echo "unused-deps: 0 passed, 1 failed"
  exit 1
fi
