"""The phone fast path must agree with phonenumbers exactly; repairs are table-driven."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import phonenumbers
import pytest

from console.contacts.phones import (
    _CACHEABLE_PYTHONS,
    PhoneRules,
    _compile_cached,
    analyze_phone,
    fast_phone_pattern,
)

FORMAT = str.maketrans("", "", " -.()")


def _truth(value: str, region: str) -> str | None:
    try:
        n = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(n):
        return None
    return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


def _sample(rng: random.Random, n: int) -> list[str]:
    """Valid examples of many regions, mutated (digits changed, dropped, added) so many are invalid."""
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    out = []
    while len(out) < n:
        region = rng.choice(regions[::3] + ["US", "CA", "GB", "DE", "FR", "JM", "IT", "RU", "KZ", "AU"] * 8)
        kind = rng.choice([phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE])
        ex = phonenumbers.example_number_for_type(region, kind)
        if ex is None:
            continue
        nsn = phonenumbers.national_significant_number(ex)
        digits = list(nsn)
        op = rng.random()
        if op < 0.4:
            digits = [rng.choice("0123456789") if rng.random() < 0.5 else d for d in digits]
        elif op < 0.5 and len(digits) > 3:
            del digits[rng.randrange(len(digits))]
        elif op < 0.6:
            digits.insert(rng.randrange(len(digits) + 1), rng.choice("0123456789"))
        nsn = "".join(digits)
        cc = str(ex.country_code)
        form = rng.random()
        if form < 0.35:
            out.append(f"+{cc}{nsn}")
        elif form < 0.5:
            out.append(f"+{cc} {nsn[:3]} {nsn[3:]}")
        elif form < 0.65:
            out.append(nsn)
        elif form < 0.75:
            out.append(f"({nsn[:3]}) {nsn[3:6]}-{nsn[6:]}")
        elif form < 0.85:
            out.append(f"1{nsn}")
        else:
            out.append(f"{cc}{nsn}")
    return out


@pytest.mark.parametrize("region", ["US", "CA", "GB", "DE", "JM"])
def test_fast_path_agrees_with_phonenumbers(region: str) -> None:
    rng = random.Random(f"phones-{region}")
    values = _sample(rng, 3000)
    pats = fast_phone_pattern(region)
    rules = PhoneRules(region)
    accepted = disagreements = 0
    for v in values:
        digits = v.translate(FORMAT)
        truth = _truth(v, region)
        fast = pats.any.fullmatch(digits) is not None
        if fast:
            accepted += 1
            if truth is None or rules.e164(v) != truth:
                disagreements += 1
        elif pats.exact_domain.fullmatch(digits) is not None and truth is not None:
            disagreements += 1  # the fast path said "surely invalid"
    assert disagreements == 0
    assert accepted > 300  # the sample exercises the fast path, not just the fallback


def test_fast_path_on_nanp_numbers() -> None:
    rng = random.Random(7)
    pats = fast_phone_pattern("US")
    for _ in range(4000):
        a, x, s = rng.randrange(100, 1000), rng.randrange(0, 1000), rng.randrange(10000)
        for v in (f"({a}) {x:03d}-{s:04d}", f"+1{a}{x:03d}{s:04d}", f"1-{a}-{x:03d}-{s:04d}"):
            truth = _truth(v, "US")
            digits = v.translate(FORMAT)
            assert (pats.any.fullmatch(digits) is not None) == (truth is not None), v
            if truth is not None:
                assert PhoneRules("US").e164(v) == truth


def test_problems_match_analyze() -> None:
    rng = random.Random(11)
    values = [*_sample(rng, 1500), "2.01555E+09", "2.015550123E+09", "442079460958", "n/a", ""]
    rules = PhoneRules("GB")
    got = dict(rules.problems(values))
    for i, v in enumerate(values):
        if not v:
            assert i not in got
            continue
        expected = analyze_phone(v, "GB")
        assert got.get(i) == expected.code, v


@pytest.mark.parametrize("region", ["US", "GB", "IT", "DE"])
def test_repair_of_a_finding_is_its_e164(region: str) -> None:
    """What the validation workers report as a flagged cell's repair is what ``e164`` says of it.

    Benchmark-like NANP and foreign values, mutated examples of many regions, Excel damage, lost
    pluses and zeros; checked with a cold cache too (``repair`` must not rely on one).
    """
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from benchmarks.generate import phone

    rng = random.Random(f"repair-{region}")
    values = [phone(rng) for _ in range(3000)] + _sample(rng, 2000)
    values += ["2.01555E+09", "2.015550123E+09", "442079460958", "612345678", " 442079460958 ", "12345"]
    rules = PhoneRules(region)
    problems = rules.problems(values)
    assert len(problems) > 300
    repaired = 0
    for cold in (False, True):
        for i, code in problems:
            if cold:
                analyze_phone.cache_clear()
            got = rules.repair(values[i], code)
            assert got == rules.e164(values[i].strip()), (values[i], code)
            repaired += got is not None
    assert repaired > 50


@pytest.mark.parametrize(
    ("value", "region", "code", "e164"),
    [
        ("(201) 555-0123", "US", None, "+12015550123"),
        ("+44 20 7946 0958", "US", None, "+442079460958"),
        ("2.01555E+09", "US", "phone.excel_scientific", None),  # digits lost
        ("2.015550123E+09", "US", "phone.excel_scientific", "+12015550123"),  # repairable
        ("442079460958", "US", "phone.missing_plus", "+442079460958"),
        ("2079460958", "GB", None, "+442079460958"),
        ("612345678", "IT", "phone.lost_leading_zero", "+390612345678"),
        ("555-1234", "US", "phone.invalid", None),
        ("call me", "US", "phone.invalid", None),
    ],
)
def test_analyze_phone(value: str, region: str, code: str | None, e164: str | None) -> None:
    check = analyze_phone(value, region)
    assert check.code == code
    assert check.valid is (code is None)
    assert check.e164 == e164


def test_unassigned_calling_codes_are_surely_invalid() -> None:
    pats = fast_phone_pattern("US")
    claimed = 0
    for prefix in range(1, 1000):
        for value in (f"+{prefix}2015550123", f"+{prefix}12345", f"+{prefix}"):
            if pats.exact_domain.fullmatch(value) is not None and not pats.accepts(value):
                claimed += 1
                assert _truth(value, "US") is None, value
    assert claimed > 1000
    # a Jamaican-looking number JM rejects: "+876…" has no calling code, so no phonenumbers call
    assert PhoneRules("US").problems(["8761230000"]) == [(0, "phone.invalid")]


def test_compiled_pattern_cache_hit_and_damaged_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cached program behaves as re.compile's; a damaged cache file is recompiled, not trusted."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    source = fast_phone_pattern("GB").rejects.pattern
    flags = re.ASCII | re.MULTILINE
    reference = re.compile(source, flags)
    first = _compile_cached(source, flags)  # compiles and writes the file
    files = list(tmp_path.rglob("*.bin"))
    assert len(files) == 1 or sys.version_info[:2] not in _CACHEABLE_PYTHONS
    second = _compile_cached(source, flags)  # read back
    rng = random.Random(7)
    lines = [v.translate(FORMAT) for v in _sample(rng, 3000)] + ["", "+", "+44", "020 7946 0000"]
    joined = "\n".join(lines)
    want = [m.span() for m in reference.finditer(joined)]
    for pat in (first, second):
        assert (pat.flags, pat.groups, pat.groupindex) == (
            reference.flags,
            reference.groups,
            reference.groupindex,
        )
        assert [m.span() for m in pat.finditer(joined)] == want
    for f in files:
        data = bytearray(f.read_bytes())
        data[-5] ^= 0xFF
        f.write_bytes(bytes(data))
    third = _compile_cached(source, flags)
    assert [m.span() for m in third.finditer(joined)] == want
    for f in files:
        f.write_bytes(b"\x05\x00\x00\x00junk")
    assert [m.span() for m in _compile_cached(source, flags).finditer(joined)] == want


def test_phone_rules_pickle_by_region_and_compile_on_first_use() -> None:
    import pickle

    rules = PhoneRules("GB")
    assert "_patterns" not in vars(rules)  # nothing compiled until used
    assert rules.e164("020 7946 0018") == "+442079460018"
    blob = pickle.dumps(rules)
    assert len(blob) < 200  # the region only, not ~340 KB of compiled pattern
    copy = pickle.loads(blob)
    assert "_patterns" not in vars(copy)
    assert copy.e164("020 7946 0018") == "+442079460018"
