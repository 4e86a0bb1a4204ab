#!/usr/bin/env bash
# Builds the web UI into web/dist: the Yew app (wasm + JS glue, optimised with wasm-opt),
# index.html and the CSS with content-hashed names, and the GraphiQL playground served
# from local files at /playground/. Installs what it needs on a fresh machine:
# the wasm32 target, wasm-bindgen-cli at the version in Cargo.lock, and the npm packages
# pinned in web/package-lock.json (binaryen for wasm-opt, terser, GraphiQL, React).
#
# Usage: web/build.sh            (from any directory)
# Env:   WEB_PROFILE=wasm-release (default) | dev     WASM_OPT=0 skips wasm-opt
set -euo pipefail

WEB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$WEB/.." && pwd)"
PROFILE="${WEB_PROFILE:-wasm-release}"
TARGET=wasm32-unknown-unknown
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DIST="$WEB/dist"
STAGE="$WEB/dist.tmp.$$"

log() { printf '\033[1m[web]\033[0m %s\n' "$*" >&2; }
cleanup() { rm -rf "$STAGE"; }
trap cleanup EXIT

# 1. The wasm32 target.
if ! rustup target list --installed | grep -qx "$TARGET"; then
  log "installing the $TARGET target"
  rustup target add "$TARGET"
fi

# 2. wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock
#    (the CLI and the crate must match).
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
if [[ -z "$WB_VERSION" ]]; then
  log "wasm-bindgen not found in Cargo.lock; run 'cargo generate-lockfile'"
  exit 1
fi
if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB_VERSION" ]]; then
  log "installing wasm-bindgen-cli $WB_VERSION (takes a few minutes once)"
  cargo install wasm-bindgen-cli --version "=$WB_VERSION"
fi

# 3. npm packages (binaryen's wasm-opt, GraphiQL, React), exactly as locked.
if ! command -v npm >/dev/null; then
  log "npm is required (apt-get install -y nodejs npm)"
  exit 1
fi
STAMP="$WEB/node_modules/.asyncstand-package-lock.json"
if ! cmp -s "$WEB/package-lock.json" "$STAMP" 2>/dev/null; then
  log "npm ci"
  (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$WEB/package-lock.json" "$STAMP"
fi

# 4. Compile.
log "cargo build -p web --target $TARGET --profile $PROFILE"
(cd "$ROOT" && cargo build -p web --target "$TARGET" --profile "$PROFILE")
PROFILE_DIR="$PROFILE"
[[ "$PROFILE" == dev ]] && PROFILE_DIR=debug
WASM_IN="$TARGET_DIR/$TARGET/$PROFILE_DIR/web.wasm"

# Steps 5-9 depend only on these inputs; when none changed since the last build (make test
# and make run call this script several times), the published files are already right.
STAMP_FILE="$DIST/.build-inputs"
inputs_stamp() {
  {
    echo "wasm-opt=${WASM_OPT:-1} $(wasm-bindgen --version)"
    sha256sum "$WASM_IN" "$WEB/build.sh" "$WEB/shrink-imports.mjs" "$WEB/index.html" "$WEB/app.css" "$WEB/package-lock.json" \
      "$WEB/playground/index.html" "$WEB/playground/playground.js" "$WEB/playground/playground.css"
  } | sha256sum | cut -c1-64
}
STAMP="$(inputs_stamp)"
if [[ -f "$DIST/index.html" && "$(cat "$STAMP_FILE" 2>/dev/null)" == "$STAMP" ]]; then
  log "web/dist is up to date"
else
  # 5. JS glue.
  mkdir -p "$STAGE/playground"
  wasm-bindgen --target web --no-typescript --out-dir "$STAGE" --out-name web "$WASM_IN"

  # 6. Shrink. Rust's wasm32 target emits these post-MVP features; wasm-opt must accept them.
  if [[ "${WASM_OPT:-1}" != 0 ]]; then
    # --merge-similar-functions folds the near-identical per-type copies monomorphisation
    # leaves (what -Oz's duplicate elimination misses); --converge repeats until nothing
    # shrinks. Together ~2.5 KB gzip for ~1 more minute (docs/benchmarks.md, bundle).
    log "wasm-opt -Oz --merge-similar-functions --converge"
    node "$WEB/node_modules/binaryen/bin/wasm-opt" -Oz --merge-similar-functions --converge \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      --strip-debug --strip-producers \
      -o "$STAGE/web_bg.opt.wasm" "$STAGE/web_bg.wasm"
    mv "$STAGE/web_bg.opt.wasm" "$STAGE/web_bg.wasm"
    # The glue's ~200 import names (`__wbg_<name>_<hash>`) shortened in both files, then the
    # glue minified (terser keeps property names): ~9 KB gzip (docs/benchmarks.md, bundle).
    node "$WEB/shrink-imports.mjs" "$STAGE/web_bg.wasm" "$STAGE/web.js" >/dev/null
    node "$WEB/node_modules/terser/bin/terser" "$STAGE/web.js" --module --compress passes=2 --mangle \
      -o "$STAGE/web.min.js"
    mv "$STAGE/web.min.js" "$STAGE/web.js"
  fi

  # 7. Content-hashed names; index.html is the only unhashed file (serve it no-cache).
  hash() { sha256sum "$1" | cut -c1-12; }
  WASM_NAME="web_bg-$(hash "$STAGE/web_bg.wasm").wasm"
  JS_NAME="web-$(hash "$STAGE/web.js").js"
  CSS_NAME="app-$(hash "$WEB/app.css").css"
  mv "$STAGE/web_bg.wasm" "$STAGE/$WASM_NAME"
  mv "$STAGE/web.js" "$STAGE/$JS_NAME"
  cp "$WEB/app.css" "$STAGE/$CSS_NAME"
  printf "import init from './%s';\ninit({ module_or_path: new URL('./%s', import.meta.url) });\n" \
    "$JS_NAME" "$WASM_NAME" >"$STAGE/boot.tmp.js"
  BOOT_NAME="boot-$(hash "$STAGE/boot.tmp.js").js"
  mv "$STAGE/boot.tmp.js" "$STAGE/$BOOT_NAME"
  sed -e "s|@APP_CSS@|$CSS_NAME|g" -e "s|@APP_JS@|$JS_NAME|g" \
      -e "s|@APP_WASM@|$WASM_NAME|g" -e "s|@BOOT_JS@|$BOOT_NAME|g" \
      "$WEB/index.html" >"$STAGE/index.html"

  # 8. The GraphiQL playground, from local copies only (no CDN), with relative URLs.
  NM="$WEB/node_modules"
  cp "$NM/react/umd/react.production.min.js" \
     "$NM/react-dom/umd/react-dom.production.min.js" \
     "$NM/graphiql/graphiql.min.js" \
     "$NM/graphiql/graphiql.min.css" \
     "$STAGE/playground/"
  cp "$WEB/playground/index.html" "$WEB/playground/playground.js" "$WEB/playground/playground.css" "$STAGE/playground/"

  # 9. Publish without a moment where a running server lacks index.html: move every new
  #    file in (renames are atomic), index.html files last, then drop files of older builds.
  mkdir -p "$DIST/playground"
  (cd "$STAGE" && find . -type f ! -name index.html) | while read -r f; do mv -f "$STAGE/$f" "$DIST/$f"; done
  mv -f "$STAGE/playground/index.html" "$DIST/playground/index.html"
  mv -f "$STAGE/index.html" "$DIST/index.html"
  KEEP=" index.html $WASM_NAME $JS_NAME $CSS_NAME $BOOT_NAME "
  for f in "$DIST"/*; do
    name="$(basename "$f")"
    [[ -f "$f" && "$KEEP" != *" $name "* ]] && rm -f "$f"
  done
  echo "$STAMP" >"$STAMP_FILE"
fi

# 10. Report what the browser downloads for the app (the files step 9 kept).
only() { local f=("$DIST"/$1); [[ ${#f[@]} == 1 && -f "${f[0]}" ]] || { log "expected one $1 in $DIST"; exit 1; }; basename "${f[0]}"; }
WASM_NAME="$(only 'web_bg-*.wasm')" JS_NAME="$(only 'web-*.js')"
CSS_NAME="$(only 'app-*.css')" BOOT_NAME="$(only 'boot-*.js')"
gz() { gzip -9 -c "$1" | wc -c; }
WASM_GZ="$(gz "$DIST/$WASM_NAME")"
JS_GZ="$(( $(gz "$DIST/$JS_NAME") + $(gz "$DIST/$BOOT_NAME") ))"
CSS_GZ="$(gz "$DIST/$CSS_NAME")"
TOTAL=$(( WASM_GZ + JS_GZ ))
printf '[web] built %s\n' "$DIST"
printf '[web]   wasm  %8d bytes (%d gzip)\n' "$(wc -c <"$DIST/$WASM_NAME")" "$WASM_GZ"
printf '[web]   js    %8d bytes (%d gzip)\n' "$(( $(wc -c <"$DIST/$JS_NAME") + $(wc -c <"$DIST/$BOOT_NAME") ))" "$JS_GZ"
printf '[web]   css   %8d bytes (%d gzip)\n' "$(wc -c <"$DIST/$CSS_NAME")" "$CSS_GZ"
printf '[web] wasm+js gzip: %d bytes (%d KiB)\n' "$TOTAL" "$(( TOTAL / 1024 ))"
# The product budget is 500 KB (500,000 bytes) of wasm + JS, gzip: the build fails above
# it. The sign-in, standup and team pages were held to 400 KB (docs/benchmarks.md, "The
# web bundle (5)"); the account, answer-link and later pages spend the rest, so a warning
# past 400,000 bytes keeps that growth visible. WEB_BUDGET_BYTES lowers the ceiling.
if (( TOTAL > 400000 )); then
  log "warning: wasm+js gzip is over the 400 KB of the base pages (see docs/benchmarks.md)"
fi
CEILING="${WEB_BUDGET_BYTES:-500000}"
if (( TOTAL > CEILING )); then
  log "wasm+js gzip is over the ${CEILING}-byte budget"
  exit 1
fi
