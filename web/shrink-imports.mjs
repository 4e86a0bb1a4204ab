// Shortens the names of the functions the wasm module imports from its JS glue.
//
// wasm-bindgen names each import `__wbg_<name>_<16 hex digits>`; the ~200 of them are ~10 KB
// in the wasm's import section and again as keys of the glue's import object, and hashes do
// not compress. This renames each import of the glue's module to `i<n>` (n in base 36) in
// both files; nothing else is touched (the module name, the kinds and types of imports, the
// exports). Run after wasm-opt, before minifying the JS.
//
// Usage: node shrink-imports.mjs <module.wasm> <glue.js>   (both rewritten in place)
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, jsPath] = process.argv.slice(2);
if (!wasmPath || !jsPath) {
  console.error("usage: node shrink-imports.mjs <module.wasm> <glue.js>");
  process.exit(2);
}
const GLUE_MODULE = "./web_bg.js";
const wasm = readFileSync(wasmPath);

function readLeb(buf, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

// Skips an import's description (after its two names); returns where the next starts.
function skipDesc(buf, at) {
  const kind = buf[at++];
  let flags;
  switch (kind) {
    case 0: // function: type index
      return readLeb(buf, at)[1];
    case 1: // table: reftype, limits
      at += 1;
      [flags, at] = readLeb(buf, at);
      [, at] = readLeb(buf, at);
      return flags & 1 ? readLeb(buf, at)[1] : at;
    case 2: // memory: limits
      [flags, at] = readLeb(buf, at);
      [, at] = readLeb(buf, at);
      return flags & 1 ? readLeb(buf, at)[1] : at;
    case 3: // global: valtype, mutability
      return at + 2;
    default:
      throw new Error(`unknown import kind ${kind}`);
  }
}

const parts = [wasm.subarray(0, 8)];
const renamed = new Map();
let at = 8;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, bodyAt] = readLeb(wasm, at + 1);
  const body = wasm.subarray(bodyAt, bodyAt + size);
  at = bodyAt + size;
  if (id !== 2) {
    parts.push(Buffer.from([id]), leb(size), body);
    continue;
  }
  let [count, p] = readLeb(body, 0);
  const out = [leb(count)];
  for (let n = 0; n < count; n++) {
    let len;
    [len, p] = readLeb(body, p);
    const module = body.subarray(p, p + len).toString("utf8");
    p += len;
    [len, p] = readLeb(body, p);
    let name = body.subarray(p, p + len).toString("utf8");
    p += len;
    const descAt = p;
    p = skipDesc(body, p);
    if (module === GLUE_MODULE) {
      const short = `i${renamed.size.toString(36)}`;
      renamed.set(name, short);
      name = short;
    }
    const moduleBytes = Buffer.from(module, "utf8");
    const nameBytes = Buffer.from(name, "utf8");
    out.push(leb(moduleBytes.length), moduleBytes, leb(nameBytes.length), nameBytes, body.subarray(descAt, p));
  }
  const newBody = Buffer.concat(out);
  parts.push(Buffer.from([id]), leb(newBody.length), newBody);
}

let js = readFileSync(jsPath, "utf8");
let replaced = 0;
for (const [name, short] of renamed) {
  const pattern = new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
  const before = js;
  js = js.replace(pattern, short);
  if (js === before) throw new Error(`the glue does not define the import ${name}`);
  replaced++;
}
writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(jsPath, js);
console.log(`renamed ${replaced} imports`);
