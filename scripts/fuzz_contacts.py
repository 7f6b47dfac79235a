"""Long fuzz run of the contact reader and validator (issue 21): no crash, no hang.

Usage (from the repository root, in the project's venv)::

    PYTHONPATH=. python scripts/fuzz_contacts.py [--seconds 600] [--seed N] [--out fuzz-crashes]

For ``--seconds`` (default 600, ten minutes) it feeds inputs to the same check as the CI test
(``tests/contacts/test_fuzz.py::check_bytes``: open, index, read every record, validate; only a
``CsvReadError`` sentence is an acceptable refusal) and prints, at the end, one line
``inputs=N crashes=C hangs=H seconds=S``. Inputs are, in turn: random mutations (byte flips,
inserted tokens, spliced halves) of the seed corpus (csv-spectrum plus the issue-21 cases),
token soup (delimiters, quotes, CR, LF, NUL, BOMs, ``sep=``), and random bytes behind a header.
Each input has 10 s (``SIGALRM``); one that takes longer counts as a hang. Every crashing or
hanging input is saved under ``--out`` with its traceback, to be added to ``SEEDS``.

Figures (2-core machine shared with other jobs, 2026-12-02): 300 s, 94,458 inputs, 0 crashes, 0
hangs (seed 1791824327); 180 s beside a test run, 12,009 inputs, 0 crashes. Before the lone-CR fix
(issue 21 item 10) 240 s found 63 crashes in 22,297 inputs (seed 21).
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from types import FrameType

from tests.contacts.test_fuzz import SEEDS, TOKENS, _corpus, check_bytes


class _HangError(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _HangError


def _mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(5)
        pos = rng.randint(0, len(buf))
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
        elif op == 1:
            buf[pos:pos] = rng.choice(TOKENS)
        elif op == 2 and buf:
            del buf[pos : pos + rng.randint(1, 8)]
        elif op == 3:
            other = rng.choice(SEEDS)
            buf[pos:] = other[rng.randint(0, len(other)) :]
        else:
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 6)))
    return bytes(buf)


def main(argv: list[str] | None = None) -> int:
    """Fuzz for ``--seconds``; exit 1 when any input crashed or hung."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--out", type=Path, default=Path("fuzz-crashes"))
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    corpus = [d for _, d in _corpus()]
    signal.signal(signal.SIGALRM, _alarm)
    inputs = crashes = hangs = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        while time.monotonic() - started < args.seconds:
            kind = inputs % 3
            if kind == 0:
                data = _mutate(rng, rng.choice(corpus))
            elif kind == 1:
                data = b"".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 120)))
            else:
                data = b"id,phone,name\n" + bytes(rng.randrange(256) for _ in range(rng.randint(0, 500)))
            inputs += 1
            signal.alarm(10)
            try:
                check_bytes(data, folder)
            except _HangError:
                hangs += 1
                _save(args.out, "hang", inputs, data, "took more than 10 s")
            except Exception:  # noqa: BLE001 - any exception is a finding to save
                crashes += 1
                _save(args.out, "crash", inputs, data, traceback.format_exc())
            finally:
                signal.alarm(0)
    seconds = time.monotonic() - started
    sys.stdout.write(f"inputs={inputs} crashes={crashes} hangs={hangs} seconds={seconds:.0f} seed={seed}\n")
    return 1 if crashes or hangs else 0


def _save(out: Path, kind: str, n: int, data: bytes, why: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{kind}-{n}.csv").write_bytes(data)
    (out / f"{kind}-{n}.txt").write_text(why)
    sys.stderr.write(f"{kind} on input {n}: {why.strip().splitlines()[-1]}\n")


if __name__ == "__main__":
    sys.exit(main())
