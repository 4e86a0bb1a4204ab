"""Per-crate line coverage from `cargo llvm-cov report --json --summary-only`."""
import json
import os
import sys

CRATES = [  # longest prefix first
    ("schema/server/", "schema-server"),
    ("schema/derive/", "schema-derive"),
    ("schema/", "schema"),
    ("api/", "api"),
    ("worker/", "worker"),
]


def main(path: str, minimum: float) -> int:
    root = os.getcwd().rstrip("/") + "/"
    with open(path) as f:
        report = json.load(f)
    totals: dict[str, list[int]] = {}
    for data in report["data"]:
        for entry in data["files"]:
            name = entry["filename"]
            rel = name[len(root):] if name.startswith(root) else name
            crate = next((c for prefix, c in CRATES if rel.startswith(prefix)), None)
            if crate is None:
                continue
            lines = entry["summary"]["lines"]
            t = totals.setdefault(crate, [0, 0])
            t[0] += lines["covered"]
            t[1] += lines["count"]
    covered = sum(t[0] for t in totals.values())
    count = sum(t[1] for t in totals.values())
    for _, crate in sorted(CRATES, key=lambda c: c[1]):
        if crate in totals:
            c, n = totals[crate]
            print(f"coverage {crate:14} {100 * c / max(n, 1):5.1f} % of {n} lines")
    overall = 100 * covered / max(count, 1)
    ok = overall >= minimum
    print(f"coverage overall        {overall:5.1f} % of {count} lines (minimum {minimum:g} %)")
    print(f"coverage: {1 if ok else 0} passed, {0 if ok else 1} failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 80.0))
