#!/usr/bin/env bash
# SQL lives in the data layer only: schema/server/src/db/ (schema_server::db, one module per
# table or aggregate). Every other Rust file of api/, worker/, schema/ and web/ calls its
# functions and writes no query of its own. Fails on any line outside it that
#   - names a table (`tables::`),
#   - writes SQL (`sql_query`, `insert_into`, `diesel::update(`, `diesel::delete(`,
#     `diesel::select(`, `batch_execute`),
#   - or runs a diesel query (`RunQueryDsl`, the trait every load/execute needs).
# Test directories (*/tests/) may use raw SQL to set up and check their data; whole-line
# comments are not code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LAYER=schema/server/src/db/
PATTERN='tables::|\bsql_query\b|\binsert_into\b|\bdiesel::(update|delete|select)\(|\bbatch_execute\b|\bRunQueryDsl\b'

files=()
while IFS= read -r -d '' file; do
  [[ "$file" == "$LAYER"* ]] && continue
  files+=("$file")
done < <(find api worker schema web \
  \( -name target -o -name node_modules -o -name dist -o -name tests \) -prune \
  -o -type f -name '*.rs' -print0 | sort -z)

offending=$(grep -nHE "$PATTERN" "${files[@]}" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true)

if [[ -n "$offending" ]]; then
  echo "$offending"
  echo "[data-layer] queries outside $LAYER: move them into a schema_server::db module (by table or aggregate) and call it" >&2
  echo "data-layer: 0 passed, 1 failed"
  exit 1
fi
echo "[data-layer] ${#files[@]} Rust files outside $LAYER write no SQL" >&2
echo "data-layer: 1 passed, 0 failed"
