#!/usr/bin/env bash
# The browser's build must not pull in server crates: the web crate's dependency tree for
# wasm32 holds no database, broker or server-side crypto crate, and `schema` builds for
# wasm32 with its default features.
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
forbidden='^(diesel|diesel-async|diesel_migrations|lapin|aes-gcm|ring|tokio-postgres|deadpool|schema-server|lettre|actix-web) '
found=$(cargo tree -p web --target wasm32-unknown-unknown -e normal --prefix none --no-dedupe \
  | grep -E "$forbidden" | sort -u || true)
cargo build -q -p schema --target wasm32-unknown-unknown
if [ -n "$found" ]; then
  echo "the web crate's wasm32 tree holds server crates:"
  echo "$found"
  echo "wasm-deps: 0 passed, 1 failed"
  exit 1
fi
echo "wasm-deps: 1 passed, 0 failed"
