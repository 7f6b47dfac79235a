"""Phone rules: libphonenumber's verdict, plus an exact fast path compiled from its metadata.

Calling ``phonenumbers.parse`` + ``is_valid_number`` costs 25-45 µs per value, and contact
files hold mostly unique numbers, so caching alone does not help (shared/RECIPES.md). The
fast path compiles, at run time and from the *installed* phonenumbers metadata, one regular
expression per default region that accepts a digits-only string (formatting characters
removed) exactly when ``phonenumbers`` would call it a valid number. It replicates
``is_valid_number``: the general description and the per-type descriptions with their possible
lengths, and, for calling codes shared by several regions, ``_region_code_for_number_from_list``
(leading digits first, then full validation, in metadata order). Every case whose parsing is
subtle (a national prefix to strip, an international dialling prefix, a leading zero, a
non-geographic calling code, unusual characters) is *not* accepted by the fast path and falls
through to ``phonenumbers`` itself. ``tests/contacts/test_phones.py`` compares both paths on
thousands of generated numbers.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property, lru_cache
from itertools import compress
from operator import not_

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberFormat, PhoneNumberType
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from console.paths import cache_dir, private_dir

__all__ = [
    "PhoneCheck",
    "PhoneRules",
    "analyze_phone",
    "fast_phone_pattern",
    "is_known_region",
]

# Formatting characters the fast path removes; anything else sends the value to phonenumbers.
_FORMATTING = str.maketrans("", "", " -.()")
_MAX_FAST_INPUT = 250  # phonenumbers rejects longer inputs outright
# Validity is "matches any type", so the order is free: the common types go first.
_DESC_NAMES = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)
_TYPE_NAMES = {v: k.lower() for k, v in vars(PhoneNumberType).items() if isinstance(v, int) and k.isupper()}
_SCIENTIFIC = re.compile(r"[+-]?(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})")
_DIGITS_ONLY = re.compile(r"\d{4,17}")
_TRIM_CHARS = "".join(chr(c) for c in range(0x21))  # rules.TRIM_CHARS (Java's String.trim), without the cycle


@dataclass(frozen=True, slots=True)
class PhoneCheck:
    """The verdict on one phone value.

    Attributes:
        valid: True when libphonenumber calls the value (as written) a valid number.
        e164: The E.164 form of the value, or of its repair when it needed one; None when
            neither the value nor any repair is a valid number.
        code: None when valid; otherwise a rule code (``phone.invalid``,
            ``phone.excel_scientific``, ``phone.missing_plus``, ``phone.lost_leading_zero``).
        number_type: ``mobile``, ``fixed_line``, ``fixed_line_or_mobile``, ``toll_free`` ... or None.
        detail: A short explanation for the message (e.g. why a repair was proposed).
    """

    valid: bool
    e164: str | None
    code: str | None
    number_type: str | None = None
    detail: str = ""


def is_known_region(region: str) -> bool:
    """True when ``region`` is a two-letter region code that libphonenumber has metadata for."""
    return region.upper() in phonenumbers.SUPPORTED_REGIONS


def _desc_lengths(desc: object) -> tuple[int, ...]:
    return tuple(getattr(desc, "possible_length", ()) or ()) if desc is not None else ()


def _desc_expr(desc: object, implied: tuple[int, ...] = ()) -> str | None:
    """Regex (for the rest of the string) matching numbers of one PhoneNumberDesc.

    ``implied``: lengths the caller has already checked; the length guard is left out when
    they are all possible lengths of ``desc`` (it could not fail there).
    """
    pattern = getattr(desc, "national_number_pattern", None) if desc is not None else None
    if not pattern:
        return None
    lengths = _desc_lengths(desc)
    if lengths == (-1,):
        return None
    length_guard = ""
    if lengths and not (implied and set(implied) <= set(lengths)):
        length_guard = "(?=(?:" + "|".join(rf"\d{{{n}}}" for n in sorted(set(lengths))) + r")\Z)"
    return rf"{length_guard}(?:{pattern})\Z"


def _region_expr(metadata: PhoneMetadata) -> str:
    """Regex matching the national significant numbers ``is_valid_number`` accepts for a region."""
    general = _desc_expr(metadata.general_desc)
    # every type is tried after the general description's length guard has passed
    implied = _desc_lengths(metadata.general_desc)
    if implied == (-1,):
        implied = ()
    types = list(
        dict.fromkeys(e for e in (_desc_expr(getattr(metadata, n, None), implied) for n in _DESC_NAMES) if e)
    )
    if general is None or not types:
        return "(?!)"
    return f"(?=(?:{general}))(?:" + "|".join(f"(?:{t})" for t in types) + ")"


def _calling_code_expr(country_code: int) -> str | None:
    """Validity of a national significant number under one calling code (region selection included).

    Replicates ``_region_code_for_number_from_list``: regions in metadata order; a region with
    leading digits is chosen when they match (and then decides alone), a region without them
    when the number is valid there. ``(?=L)V|(?!L)rest`` keeps the pattern linear in the number
    of regions (+1 has 25) and free of capturing groups, whose per-match cost grows with
    their number.
    """
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    if not regions or "001" in regions:
        return None
    metas = [md for md in (PhoneMetadata.metadata_for_region(r, None) for r in regions) if md is not None]
    if not metas:
        return None
    expr = "(?!)"
    for md in reversed(metas):
        body = _region_expr(md)
        if md.leading_digits is not None:
            lead = md.leading_digits
            expr = f"(?:(?=(?:{lead})){body}|(?!(?:{lead})){expr})"
        else:
            expr = f"(?:{body}|{expr})"
    return expr


def _main_metadata(country_code: int) -> PhoneMetadata | None:
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    return PhoneMetadata.metadata_for_region(regions[0], None) if regions else None


def _no_prefix_guard(metadata: PhoneMetadata | None) -> str:
    """Refuse numbers where parse() could strip a national prefix or leading zeros apply."""
    guard = r"(?=\d{2,17}\Z)(?!0)"
    if metadata is not None and metadata.national_prefix_for_parsing:
        guard += f"(?!(?:{metadata.national_prefix_for_parsing}))"
    return guard


def _international_expr(domain_only: bool = False) -> str:
    """``+CC NSN`` for every geographic calling code, as a digit trie on the calling code.

    With ``domain_only`` the NSN part accepts any digits that pass the guards (the exact domain).
    """
    by_code: dict[str, str] = {}
    for cc in sorted(COUNTRY_CODE_TO_REGION_CODE):
        expr = _calling_code_expr(cc)
        if expr is None:
            continue
        by_code[str(cc)] = _no_prefix_guard(_main_metadata(cc)) + (r"\d*" if domain_only else expr)

    def trie(codes: dict[str, str], depth: int) -> str:
        groups: dict[str, dict[str, str]] = {}
        leaves: list[str] = []
        for code, expr in codes.items():
            if len(code) == depth:
                leaves.append(expr)
            else:
                groups.setdefault(code[depth], {})[code] = expr
        parts = [f"(?:{leaf})" for leaf in leaves]
        parts += [f"{digit}{trie(sub, depth + 1)}" for digit, sub in sorted(groups.items())]
        return "(?:" + "|".join(parts) + ")"

    return trie(by_code, 0)


_LINE_END = "$"
"""With MULTILINE, the end of a value inside a newline-joined column (one opcode, cheaper than a
lookahead); on a value without newlines, the same as ``\\Z``."""


@dataclass(frozen=True)
class FastPhonePatterns:
    """Compiled fast-path patterns for one default region (see :func:`fast_phone_pattern`).

    Attributes:
        any_source: Source of :attr:`any`.
        national_source: Source of :attr:`national`.
        national_with_cc_source: Source of :attr:`national_with_cc`.
        country_code: The region's calling code.
    """

    any_source: str
    national_source: str
    national_with_cc_source: str
    country_code: int
    exact_domain: re.Pattern[str]
    """Digit strings on which :attr:`any` is exact both ways (a miss there is surely invalid)."""
    national_prefix_zero: bool
    """The region's trunk prefix is 0 (a lost leading zero is a plausible repair)."""
    rejects: re.Pattern[str]
    """:attr:`any` turned inside out for a newline-joined column of digit strings: from the start of
    a line, matches that whole line when ``any`` would *not* fullmatch it, and fails when it would.
    One ``finditer`` over the joined column yields only the misses (MULTILINE; ``\\Z`` in the
    pattern becomes "end of line")."""

    @cached_property
    def national(self) -> re.Pattern[str]:
        """Accepts a national number (E.164 = ``+CC`` + the digits); compiled on first use."""
        return re.compile(self.national_source, re.ASCII)

    @cached_property
    def national_with_cc(self) -> re.Pattern[str]:
        """NANP only: ``1`` + ten digits (E.164 = ``+`` + the digits); else never matches."""
        return re.compile(self.national_with_cc_source, re.ASCII)

    @cached_property
    def any(self) -> re.Pattern[str]:
        """Accepts ``+CC…`` or a national number of the region (compiled on first use)."""
        return re.compile(self.any_source, re.ASCII)

    def accepts(self, digits: str) -> bool:
        """``any.fullmatch(digits) is not None``, with the already compiled :attr:`rejects`."""
        # ``any`` consumes only digits and "+": a value holding a newline never matches.
        return "\n" not in digits and self.rejects.match(digits) is None


# Python versions whose ``re._compiler.compile`` :func:`_compile_cached` replicates.
_CACHEABLE_PYTHONS = ((3, 11), (3, 12))


def _compile_cached(source: str, flags: int) -> re.Pattern[str]:
    """``re.compile(source, flags)``, with the compiled program kept in the user cache dir.

    The phone pattern is ~150,000 characters; ``re`` parses and compiles it in Python
    (~0.35 s, serial before the validation workers start, and again in every spawned
    process). The cache file is keyed by the exact Python build, the ``_sre`` magic, the flags
    and the source, and holds a SHA-256 of the program; anything unexpected (another Python,
    a missing, stale or damaged file, no writable cache dir) compiles normally.
    """
    if sys.version_info[:2] not in _CACHEABLE_PYTHONS:
        return re.compile(source, flags)
    try:
        import _sre  # type: ignore[import-not-found]

        key = hashlib.sha256(
            f"{sys.version}\0{_sre.MAGIC}\0{flags}\0{source}".encode("utf-8", "surrogatepass")
        ).hexdigest()
        path = cache_dir() / "re" / f"{key[:40]}.bin"
    except (ImportError, OSError):  # pragma: no cover - no cache dir on this platform
        return re.compile(source, flags)
    try:
        blob = path.read_bytes()
        size = int.from_bytes(blob[:4], "little")
        meta = json.loads(blob[4 : 4 + size])
        body = blob[4 + size :]
        if meta["sha256"] != hashlib.sha256(body).hexdigest() or meta["itemsize"] != array("I").itemsize:
            raise ValueError("damaged cache file")
        indexgroup = tuple(meta["indexgroup"])
        compiled: re.Pattern[str] = _sre.compile(
            source, meta["flags"], array("I", body).tolist(), meta["groups"], meta["groupindex"], indexgroup
        )
        return compiled
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, IndexError):
        pass  # no usable cache file: compile
    from re import _compiler, _parser  # type: ignore[attr-defined]

    # as re._compiler.compile, keeping the program
    parsed = _parser.parse(source, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup_list: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup_list[i] = name
    final_flags = flags | parsed.state.flags
    compiled = _sre.compile(
        source, final_flags, code, parsed.state.groups - 1, groupindex, tuple(indexgroup_list)
    )
    body = array("I", code).tobytes()
    meta_blob = json.dumps(
        {
            "sha256": hashlib.sha256(body).hexdigest(),
            "itemsize": array("I").itemsize,
            "flags": final_flags,
            "groups": parsed.state.groups - 1,
            "groupindex": groupindex,
            "indexgroup": indexgroup_list,
        }
    ).encode()
    try:
        private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(len(meta_blob).to_bytes(4, "little") + meta_blob + body)
        os.replace(tmp, path)
    except OSError:
        pass
    return compiled


@cache
def fast_phone_pattern(region: str) -> FastPhonePatterns:
    """The compiled fast-path patterns for a default region.

    The patterns are applied with ``fullmatch`` to a value with the formatting characters
    `` -.()`` removed. A value they do not accept may still be valid: ask :func:`analyze_phone`.
    """
    region = region.upper()
    md = PhoneMetadata.metadata_for_region(region, None)
    intl = rf"\+{_international_expr()}"
    national = "(?!)"
    with_cc = "(?!)"
    # "+" and a calling code that is not assigned: phonenumbers cannot parse it (checked in tests)
    assigned = "|".join(sorted(map(str, COUNTRY_CODE_TO_REGION_CODE), key=len, reverse=True))
    domain = rf"\+{_international_expr(domain_only=True)}|\+(?!(?:{assigned}))\d*"
    cc = 0
    if md is not None and md.country_code is not None:
        cc = md.country_code
        cc_expr = _calling_code_expr(cc)
        if cc_expr is not None:
            guard = _no_prefix_guard(md) + f"(?!{cc})"
            if md.international_prefix:
                guard += f"(?!(?:{md.international_prefix}))"
            national = f"{guard}{cc_expr}"
            domain += rf"|{guard}\d*"
            if cc == 1:
                # NANP: "1" + ten digits is the country code followed by the national number
                # (phonenumbers' _maybe_extract_country_code), checked in tests against phonenumbers.
                with_cc = rf"1(?=[2-9]\d{{9}}\Z){cc_expr}"
                domain += r"|1(?=[2-9]\d{9}\Z)\d*"
    any_source = f"{intl}|{national}|{with_cc}"
    line_source = any_source.replace(r"\Z", _LINE_END)
    return FastPhonePatterns(
        any_source=any_source,
        rejects=_compile_cached(rf"^(?!(?:{line_source}){_LINE_END})[^\n]*", re.ASCII | re.MULTILINE),
        national_source=national,
        national_with_cc_source=with_cc,
        country_code=cc,
        exact_domain=re.compile(domain, re.ASCII),
        national_prefix_zero=md is not None and md.national_prefix == "0",
    )


def _number_type(number: phonenumbers.PhoneNumber) -> str | None:
    return _TYPE_NAMES.get(phonenumbers.number_type(number))


def _parse_valid(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def _e164(number: phonenumbers.PhoneNumber) -> str:
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))


@lru_cache(maxsize=65536)
def analyze_phone(value: str, region: str) -> PhoneCheck:
    """Judge one phone value with phonenumbers itself, and propose a repair for Excel damage.

    Args:
        value: The cell value (already trimmed if the list trims whitespace). Must be non-empty.
        region: Default region (ISO 3166 alpha-2) for numbers written without ``+``.

    Returns:
        The verdict. Repairs tried when the value is invalid: scientific notation written by
        Excel (``2.01555E+09``; repairable only when no digits were lost), a lost ``+`` on an
        international number, and a lost leading zero of a national number.
    """
    number = _parse_valid(value, region)
    if number is not None:
        return PhoneCheck(True, _e164(number), None, _number_type(number))
    sci = _SCIENTIFIC.fullmatch(value.strip())
    if sci is not None:
        lead, frac, exp = sci.group(1), sci.group(2) or "", int(sci.group(3))
        if len(frac) > exp:
            return PhoneCheck(False, None, "phone.invalid", None, "not a whole number")
        try:
            digits = str(int(Decimal(f"{lead}.{frac}e{exp}" if frac else f"{lead}e{exp}")))
        except (InvalidOperation, ValueError):  # pragma: no cover - regex guarantees a number
            digits = ""
        if len(frac) < exp:
            return PhoneCheck(
                False,
                None,
                "phone.excel_scientific",
                None,
                f"Excel kept only {len(frac) + 1} of the {exp + 1} digits",
            )
        repaired = _parse_valid(digits, region) or _parse_valid("+" + digits, region)
        if repaired is not None:
            return PhoneCheck(
                False,
                _e164(repaired),
                "phone.excel_scientific",
                _number_type(repaired),
                f"scientific notation of {digits}",
            )
        return PhoneCheck(False, None, "phone.excel_scientific", None, f"scientific notation of {digits}")
    digits = value.translate(_FORMATTING)
    if _DIGITS_ONLY.fullmatch(digits):
        with_plus = _parse_valid("+" + digits, region)
        if with_plus is not None:
            return PhoneCheck(
                False,
                _e164(with_plus),
                "phone.missing_plus",
                _number_type(with_plus),
                "an international number without its leading +",
            )
        with_zero = _parse_valid("0" + digits, region)
        if with_zero is not None:
            return PhoneCheck(
                False,
                _e164(with_zero),
                "phone.lost_leading_zero",
                _number_type(with_zero),
                "a national number that lost its leading 0",
            )
    return PhoneCheck(False, None, "phone.invalid", None, "")


class PhoneRules:
    """Phone checks for one default region, fast path first.

    Args:
        region: Default region (ISO 3166 alpha-2) for numbers written without ``+``.
    """

    def __init__(self, region: str) -> None:
        self.region = region.upper()

    @cached_property
    def _patterns(self) -> FastPhonePatterns:
        """The region's compiled patterns, on first use: building them costs ~0.1 s per process."""
        return fast_phone_pattern(self.region)

    def __getstate__(self) -> dict[str, object]:
        # only the region: a pickled compiled pattern (~340 KB) is recompiled on load (~0.4 s)
        return {"region": self.region}

    def problems(self, values: Sequence[str]) -> list[tuple[int, str]]:
        """Indexes and rule codes of the non-empty values that are not valid as written.

        Empty values are skipped (whether a phone may be blank is not a phone rule).
        """
        n = len(values)
        if not n:
            return []
        # The whole column at once: one C-level pass removes the formatting, one regex scan over
        # the newline-joined digits yields only the lines the fast path rejects, so no Python
        # code and no match object per accepted value. A value holding a newline, or longer than
        # phonenumbers accepts, takes the per-value path.
        joined = "\n".join(values)
        if joined.count("\n") != n - 1 or max(map(len, values)) > _MAX_FAST_INPUT:
            return self._problems_per_value(values)
        digits = joined.encode("utf-8", "surrogatepass").translate(None, b" -.()")
        text = digits.decode("utf-8", "surrogatepass")
        out: list[tuple[int, str]] = []
        classify = self.classify_miss
        count = text.count
        line, pos = 0, 0
        for m in self._patterns.rejects.finditer(text):
            start = m.start()
            line += count("\n", pos, start)
            pos = start
            value = values[line]
            if value:
                code = classify(value, m.group())
                if code is not None:
                    out.append((line, code))
        return out

    def _problems_per_value(self, values: Sequence[str]) -> list[tuple[int, str]]:
        """:meth:`problems` one value at a time (values with newlines or very long ones)."""
        fast = self._patterns.accepts
        n = len(values)
        digits = [v.translate(_FORMATTING) if len(v) <= _MAX_FAST_INPUT else "\x00" for v in values]
        misses = compress(range(n), map(not_, map(fast, digits)))
        out: list[tuple[int, str]] = []
        classify = self.classify_miss
        for i in misses:
            value = values[i]
            if value:
                code = classify(value, digits[i])
                if code is not None:
                    out.append((i, code))
        return out

    def classify_miss(self, value: str, digits: str) -> str | None:
        """Rule code for a non-empty value the fast pattern did not accept (None if valid after all).

        Args:
            value: The value.
            digits: The value without formatting characters.
        """
        if _SCIENTIFIC.fullmatch(value) is not None:
            return "phone.excel_scientific"
        pats = self._patterns
        if pats.exact_domain.fullmatch(digits) is None:
            return analyze_phone(value, self.region).code
        # surely invalid as written; look for the cheap repairs
        if digits.isdigit():
            plus = "+" + digits
            if pats.accepts(plus):
                return "phone.missing_plus"
            if pats.exact_domain.fullmatch(plus) is None and _parse_valid(plus, self.region) is not None:
                return "phone.missing_plus"
            if pats.national_prefix_zero and _parse_valid("0" + digits, self.region) is not None:
                return "phone.lost_leading_zero"
        return "phone.invalid"

    def repair(self, value: str, code: str) -> str | None:
        """:meth:`e164` of a value :meth:`problems` flagged with ``code``, without re-asking phonenumbers.

        The validation workers call it right after :meth:`problems`, so a value
        :meth:`classify_miss` sent to :func:`analyze_phone` is a cache hit there. A value it judged
        with the fast path alone ("surely invalid as written": its digits are in the exact domain)
        gets :func:`analyze_phone`'s repairs in the same order, with the fast path wherever it is
        exact: ``+`` and the digits, then a leading ``0``. ``tests/contacts/test_phones.py`` checks
        that it equals :meth:`e164` on every finding of generated columns.
        """
        stripped = value.strip(_TRIM_CHARS)
        if not stripped:
            return None
        if stripped != value or len(value) > _MAX_FAST_INPUT or code == "phone.excel_scientific":
            return self.e164(stripped)
        digits = value.translate(_FORMATTING)
        pats = self._patterns
        if pats.accepts(digits) or pats.exact_domain.fullmatch(digits) is None:
            return self.e164(value)  # classify_miss asked analyze_phone: a cache hit
        # invalid as written (exact domain); analyze_phone would try "+" then "0" on digits only
        if _DIGITS_ONLY.fullmatch(digits) is None:
            return None
        plus = "+" + digits
        if pats.accepts(plus):
            return plus
        if pats.exact_domain.fullmatch(plus) is None:
            number = _parse_valid(plus, self.region)
            if number is not None:
                return _e164(number)
        number = _parse_valid("0" + digits, self.region)
        return _e164(number) if number is not None else None

    def e164(self, value: str) -> str | None:
        """E.164 form of a value, of its repair, or None when the value cannot be made valid."""
        if not value:
            return None
        if len(value) <= _MAX_FAST_INPUT:
            digits = value.translate(_FORMATTING)
            pats = self._patterns
            if pats.accepts(digits):
                if digits.startswith("+"):
                    return digits
                if pats.national.fullmatch(digits) is not None:
                    return f"+{pats.country_code}{digits}"
                return "+" + digits  # NANP 1 + ten digits
        return analyze_phone(value, self.region).e164
