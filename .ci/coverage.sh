#!/usr/bin/env bash
# Line coverage of the native crates (api, worker, schema, schema-server, schema-derive)
# over every test they have, unit and integration (browser tests included), with
# cargo-llvm-cov. Prints one line per crate and the overall figure, and fails when a test
# fails or the overall figure is below COVERAGE_MIN (default 80).
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.9.1
if ! cargo llvm-cov --version 2>/dev/null | grep -q "$version"; then
  cargo install cargo-llvm-cov --locked --version "=$version"
fi
rustup component list --installed | grep -q '^llvm-tools' || rustup component add llvm-tools
# Every crate's tests run (the web crate's native unit tests too); test code, examples and
# the web crate (covered in the browser, inside wasm) are left out of the figures.
ignore='(/tests/|/examples/|^web/|/web/|/\.cargo/|/rustc/)'
cargo llvm-cov --workspace --no-fail-fast --no-report
cargo llvm-cov report --json --summary-only --ignore-filename-regex "$ignore" \
  --output-path target/coverage.json
python3 .ci/coverage.py target/coverage.json "${COVERAGE_MIN:-80}"
