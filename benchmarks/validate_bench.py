"""Benchmark: validate the generated 1,000,000-row contact file; compare with frictionless.

Usage: ``.venv/bin/python benchmarks/validate_bench.py [--rows N] [--processes P] [--no-frictionless]``

Each measurement runs in a fresh process (so peak RSS is that run's own). The last line is
``validate N rows: X s, peak RSS Y MB, first rows Z ms, frictionless W s (R x)``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402

FIRST_ROWS = """
import json, sys, time
from console.contacts.reader import open_csv
t = time.perf_counter()
src = open_csv(sys.argv[1])
rows = src.records(0, 100)
ms = (time.perf_counter() - t) * 1000
assert len(rows) == 100
print(json.dumps({"ms": ms}))
"""

VALIDATE = """
import json, resource, sys, time
from console.contacts.reader import open_csv
from console.contacts.rules import load_definition
from console.contacts.validate import ValidationOptions, validate
procs = None if sys.argv[3] == "auto" else int(sys.argv[3])
t = time.perf_counter()
src = open_csv(sys.argv[1])
res = validate(src, load_definition(sys.argv[2]), options=ValidationOptions(processes=procs))
s = time.perf_counter() - t
me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"s": s, "rows": res.row_count, "valid": res.valid_rows, "invalid": res.invalid_rows,
                  "issues": res.issue_count, "rss_main": me, "rss_worker": kids,
                  "counts": res.counts_by_rule()}))
"""

FRICTIONLESS = """
import json, sys, time
from frictionless import Resource, Schema, Checklist, validate
phone = r"^(\\+?[0-9 ().-]{7,20})?$"
schema = Schema.from_descriptor({"fields": [
    {"name": "ContactId", "type": "string", "constraints": {"required": True, "unique": True}},
    {"name": "FirstName", "type": "string", "constraints": {"maxLength": 512}},
    {"name": "LastName", "type": "string", "constraints": {"maxLength": 512}},
    {"name": "Mobile", "type": "string", "constraints": {"pattern": phone}},
    {"name": "Home", "type": "string", "constraints": {"pattern": phone}},
    {"name": "Email", "type": "string", "format": "email"},
    {"name": "Zip", "type": "string", "constraints": {"pattern": "^([0-9]{5}(-[0-9]{4})?)?$"}},
    {"name": "Score", "type": "number", "constraints": {"minimum": 0, "maximum": 1000}},
    {"name": "LastContacted", "type": "datetime"},
    {"name": "Segment", "type": "string", "constraints": {"maxLength": 20}},
]})
t = time.perf_counter()
from pathlib import Path
p = Path(sys.argv[1])
# frictionless refuses absolute paths unless given a basepath; its default error limit stops early
report = validate(Resource(path=p.name, basepath=str(p.parent), schema=schema), limit_errors=10**7)
s = time.perf_counter() - t
print(json.dumps({"s": s, "errors": len(report.flatten(["type"]))}))
"""


def _run(code: str, *args: str) -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True,
                         cwd=HERE.parent)
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--processes", default="auto")
    ap.add_argument("--no-frictionless", action="store_true")
    args = ap.parse_args()
    t = time.perf_counter()
    path, definition = generate(args.rows)
    print(f"data: {path} ({path.stat().st_size / 1e6:.0f} MB), ready in {time.perf_counter() - t:.1f} s")
    print(f"load before: {os.getloadavg()}")
    first = _run(FIRST_ROWS, str(path))
    print(f"first 100 rows (fresh process, after imports): {first['ms']:.1f} ms")
    val = _run(VALIDATE, str(path), str(definition), args.processes)
    rate = float(val["rows"]) / float(val["s"])  # type: ignore[arg-type]
    print(f"validate: {val['s']:.2f} s, {rate:,.0f} rows/s; rows={val['rows']} valid={val['valid']} "
          f"invalid={val['invalid']} issues={val['issues']}")
    print(f"peak RSS: main {val['rss_main']:.0f} MB, largest worker {val['rss_worker']:.0f} MB")
    print(f"by rule: {val['counts']}")
    fr_s, ratio = float("nan"), float("nan")
    if not args.no_frictionless:
        fr = _run(FRICTIONLESS, str(path))
        fr_s = float(fr["s"])  # type: ignore[arg-type]
        ratio = fr_s / float(val["s"])  # type: ignore[arg-type]
        print(f"frictionless (pattern-only phones, same other rules): {fr_s:.1f} s, {fr['errors']} errors")
    print(f"load after: {os.getloadavg()}")
    peak = max(float(val["rss_main"]), float(val["rss_worker"]))  # type: ignore[arg-type]
    print(f"validate {val['rows']} rows: {val['s']:.2f} s, peak RSS {peak:.0f} MB, "
          f"first rows {first['ms']:.0f} ms, frictionless {fr_s:.1f} s ({ratio:.1f} x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
