"""Benchmark: what the dialing windows (issue 18) add to ``validate`` on the 1,000,000-row file.

Usage: ``.venv/bin/python benchmarks/dialing_bench.py [--rows N] [--repeat K] [--processes P]``

Two figures, each measured in a fresh process and interleaved (A B B A A B ...), so a change in
the load of the shared machine hits both alike:

- A: ``validate`` alone (open the file, check every row);
- B: the same check keying every row's dialing window in its workers
  (``ValidationOptions(dialing=True)``, as the preview's validation child and
  ``validate --dialing-windows`` run it).

Budget: B at most 20 % above A. The ZIP table is warmed first (its cache file), as after a
first run. The benchmark definition (``benchmarks/generate.py``) has automatic time-zone
mapping and a ``Zip`` column. The last line is
``dialing: validate A s, with windows B s (+X %), CPU +Y %, load L``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402

RUN = """
import json, resource, sys, time
from console.contacts.dialing import zip_table
from console.contacts.reader import open_csv
from console.contacts.rules import load_definition
from console.contacts.validate import ValidationOptions, validate
procs = None if sys.argv[3] == "auto" else int(sys.argv[3])
with_windows = sys.argv[4] == "1"
zip_table()
d = load_definition(sys.argv[2])
def cpu():
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
c0 = cpu()
t = time.perf_counter()
src = open_csv(sys.argv[1])
res = validate(src, d, options=ValidationOptions(processes=procs, dialing=with_windows))
v = time.perf_counter() - t
out = {"validate_s": v}
if with_windows:
    dw = res.dialing
    assert dw is not None
    out["windows"] = len(dw.windows)
    out["short"] = len(dw.short_rows())
    out["summary"] = {k: v for k, v in dw.summary().items() if k != "zones"}
out["s"] = time.perf_counter() - t
out["cpu"] = cpu() - c0
out["rows"] = res.row_count
print(json.dumps(out))
"""


def _run(path: Path, definition: Path, processes: str, with_windows: bool) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", RUN, str(path), str(definition), processes, "1" if with_windows else "0"],
        check=True,
        capture_output=True,
        text=True,
        cwd=HERE.parent,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    """Run the interleaved measurements and print both figures and the ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="pairs of runs (A and B each this many times)")
    ap.add_argument("--processes", default="auto")
    args = ap.parse_args()
    path, definition = generate(args.rows)
    print(f"data: {path} ({path.stat().st_size / 1e6:.0f} MB); load before {os.getloadavg()}")
    alone: list[dict[str, object]] = []
    both: list[dict[str, object]] = []
    for k in range(max(1, args.repeat)):
        order = (False, True) if k % 2 == 0 else (True, False)
        for with_windows in order:
            r = _run(path, definition, args.processes, with_windows)
            (both if with_windows else alone).append(r)
            now = os.getloadavg()[0]
            if with_windows:
                print(
                    f"[{k + 1}] B validate with windows: {r['s']:.2f} s, "
                    f"CPU {r['cpu']:.2f} s; {r['windows']} distinct "
                    f"windows, {r['short']} short, {r['summary']}; load {now:.2f}"
                )
            else:
                print(f"[{k + 1}] A validate: {r['s']:.2f} s, CPU {r['cpu']:.2f} s; load {now:.2f}")
    a = statistics.median(float(r["s"]) for r in alone)  # type: ignore[arg-type]
    b = statistics.median(float(r["s"]) for r in both)  # type: ignore[arg-type]
    a_cpu = statistics.median(float(r["cpu"]) for r in alone)  # type: ignore[arg-type]
    b_cpu = statistics.median(float(r["cpu"]) for r in both)  # type: ignore[arg-type]
    after = os.getloadavg()
    print(f"load after: {after}")
    print(
        f"dialing: validate {a:.2f} s, with windows {b:.2f} s (+{100 * (b / a - 1):.1f} %; budget 20 %), "
        f"CPU {a_cpu:.2f} s vs {b_cpu:.2f} s (+{100 * (b_cpu / a_cpu - 1):.1f} %), medians of "
        f"{len(alone)} interleaved pairs, load {after[0]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
