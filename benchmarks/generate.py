"""Deterministic contact CSV generator for the validation benchmark (fixed seed).

1,000,000 rows x 10 columns: ContactId, FirstName, LastName, Mobile, Home, Email, Zip, Score,
LastContacted, Segment. Phones are mixed national / E.164 / foreign formats; about 2 % of
values are bad (invalid numbers, Excel scientific notation, lost +, bad emails, 4-digit ZIPs,
non-numeric or out-of-range scores, impossible dates, duplicate or empty ids, ragged rows),
with quoted commas, quoted newlines and non-ASCII names.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
HEADER = [
    "ContactId",
    "FirstName",
    "LastName",
    "Mobile",
    "Home",
    "Email",
    "Zip",
    "Score",
    "LastContacted",
    "Segment",
]
FIRST = [
    "James",
    "Mary",
    "Zoë",
    "José",
    "Łukasz",
    "Brûlé",
    "Aoife",
    "Chloé",
    "Mateo",
    "Søren",
    "Li",
    "Ana",
    "Müller",
    "Priya",
    "O'Neil",
    "Jean-Luc",
    "Ngozi",
    "Ömer",
]
LAST = [
    "Smith",
    "Johnson",
    "García",
    "Nguyễn",
    "Brûlé",
    "Okafor",
    "Schmidt",
    "Dubois",
    "Kowalski",
    "Smith, Jr.",
    "Andersson",
    "Rossi",
    "Tanaka",
    'O"Brien',
    "Patel",
]
AREAS = [
    201,
    202,
    212,
    213,
    305,
    312,
    404,
    415,
    416,
    503,
    512,
    604,
    617,
    646,
    702,
    713,
    718,
    773,
    808,
    917,
    876,
]
SEGMENTS = ["gold", "silver", "bronze", "new", "lapsed", "vip"]
FOREIGN = [
    ("+44 20 7946 ", 4),
    ("+44 7700 9", 5),
    ("+49 30 ", 8),
    ("+33 1 ", 8),
    ("+61 2 ", 8),
    ("+52 55 ", 8),
    ("+91 98", 8),
    ("+353 1 ", 7),
]


def nanp(rng: random.Random) -> str:
    a, x, s = rng.choice(AREAS), rng.randrange(200, 1000), rng.randrange(10000)
    form = rng.random()
    if form < 0.3:
        return f"({a}) {x}-{s:04d}"
    if form < 0.5:
        return f"{a}-{x}-{s:04d}"
    if form < 0.6:
        return f"{a}.{x}.{s:04d}"
    if form < 0.7:
        return f"{a}{x}{s:04d}"
    if form < 0.75:
        return f"1-{a}-{x}-{s:04d}"
    return f"+1{a}{x}{s:04d}"


def phone(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.006:
        return f"{rng.randrange(1, 10)}.{rng.randrange(10000, 99999)}E+09"  # Excel damage
    if r < 0.011:
        return f"44{rng.randrange(7000000000, 7999999999)}"  # lost +
    if r < 0.016:
        return rng.choice(["555-1234", "12345", "n/a", "0000000000", "+1 999 555 0100", "call me"])
    if r < 0.10:
        prefix, k = rng.choice(FOREIGN)
        return prefix + "".join(rng.choice("0123456789") for _ in range(k))
    return nanp(rng)


def row(rng: random.Random, i: int) -> list[str]:
    bad = rng.random()
    cid = f"C{i:07d}"
    if bad < 0.002:
        cid = f"C{max(0, i - rng.randrange(1, 1000)):07d}"  # duplicate
    elif bad < 0.003:
        cid = ""
    first, last = rng.choice(FIRST), rng.choice(LAST)
    email = (
        f"{first.lower()}.{last.lower()}{i}@example.com".replace(" ", "")
        .replace(",", "")
        .replace('"', "")
        .replace("'", "")
    )
    if rng.random() < 0.01:
        email = email.replace("@", " at ")
    z = f"{rng.randrange(1000, 99999):05d}"
    if rng.random() < 0.01:
        z = z.lstrip("0") or "1"
        z = z[:4]
    score = str(rng.randrange(0, 1000))
    r = rng.random()
    if r < 0.005:
        score = "n/a"
    elif r < 0.01:
        score = str(rng.randrange(1001, 5000))
    y = rng.randrange(2015, 2026)
    hh, mm = rng.randrange(24), rng.randrange(60)
    ts = f"{y}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T{hh:02d}:{mm:02d}:00Z"
    if rng.random() < 0.005:
        ts = rng.choice([f"{y}-02-30", "31/12/2020", "2040-01-01T00:00:00Z"])
    seg = rng.choice(SEGMENTS)
    if rng.random() < 0.003:
        seg = "note line 1\nline 2"
    out = [cid, first, last, phone(rng), phone(rng), email, z, score, ts, seg]
    if rng.random() < 0.001:
        out = out[:-2]  # ragged
    return out


def definition() -> dict[str, object]:
    return {
        "name": "Benchmark list",
        "columnNames": HEADER,
        "phoneColumns": [{"columnName": "Mobile", "type": "cell"}, {"columnName": "Home", "type": "home"}],
        "emailColumns": [{"columnName": "Email", "type": "personal"}],
        "automaticTimeZoneMapping": True,
        "zipCodeColumnName": "Zip",
        "columnDataTypeSpecifications": [
            {"columnName": "Score", "columnDataType": "NUMERIC", "min": 0, "max": 1000},
            {"columnName": "LastContacted", "columnDataType": "TIMESTAMP"},
            {"columnName": "Segment", "columnDataType": "TEXT", "maxLength": 20},
        ],
        "trimWhitespace": True,
    }


def quote(v: str) -> str:
    if any(c in v for c in ',"\n\r') or v != v.strip():
        return '"' + v.replace('"', '""') + '"'
    return v


def generate(rows: int = 1_000_000, seed: int = 20240531) -> tuple[Path, Path]:
    DATA.mkdir(exist_ok=True)
    path = DATA / f"contacts_{rows}.csv"
    defn = DATA / "benchmark_list.json"
    defn.write_text(json.dumps(definition(), indent=2), encoding="utf-8")
    if path.exists():
        return path, defn
    rng = random.Random(seed)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADER) + "\r\n")
        buf = []
        for i in range(rows):
            buf.append(",".join(map(quote, row(rng, i))))
            if len(buf) >= 10000:
                fh.write("\r\n".join(buf) + "\r\n")
                buf = []
        if buf:
            fh.write("\r\n".join(buf) + "\r\n")
    tmp.replace(path)
    return path, defn


if __name__ == "__main__":
    print(generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
