"""Who will be dialled, and when: each contact's compliant dialing window (genesys-api.md §6.5).

With ``automaticTimeZoneMapping`` the platform maps every phone of a contact (NANP numbers of
the supported countries, US and Canada, by area code) and the ZIP column (US ZIP codes) to time
zones, and dials the contact only inside the mapped slot (08:00-21:00 local unless the org
changed it) in *every* mapped zone at once. It falls back to the org-wide default window
(14:00-20:00 ``America/New_York`` unless changed) when the ZIP is invalid or no phone maps; a
ZIP alone is not enough.

Sources of the mapping:

* Phones: libphonenumber's time-zone data (``phonenumbers.timezone``), looked up once per
  area code + exchange (the longest NANP prefix in that data has 7 digits). A number of an
  area code that spans zones (e.g. 208: Boise and Los Angeles; 709: Halifax and St John's)
  maps to *all* its zones, and the window is their intersection. The platform's choice is
  not documented; the intersection is the conservative reading (a dial inside it is legal in
  whichever of the zones the contact lives in), while "could not map" would move every such
  contact to the default window and hide the zones the list really reaches. A number whose
  prefix libphonenumber knows only as "somewhere in NANP" (an unassigned area code), a number
  of another NANP country (Jamaica, Puerto Rico …: leading digits in libphonenumber's metadata)
  or any non-NANP number "could not map". The shape check is a pattern (area code and exchange
  start with 2-9); :func:`compute_windows` also takes the validation's own phone findings so a
  number libphonenumber rejects does not map either.
* ZIP: the ``zipcodes`` package (ships the USPS table with a ``timezone`` per ZIP; no download
  at run time), read once and cached on disk. Blank = "not available"; a value that is not a
  real 5-digit ZIP (ZIP+4 allowed) "could not map" and forces the default window. A real ZIP the
  table gives no zone for counts as not available.

Lists without automatic mapping whose phone columns have a callable-time column
(``callableTimeColumn``, an IANA zone per contact): the mapped slot in that zone (the
intersection when phones name different zones); a value that is not a zone gives the default
window and a ``timezone.invalid`` finding.

Everything is computed per distinct combination of the row's zone sets (a handful for a
million rows), so the per-row work is C-level dict lookups.
"""

from __future__ import annotations

import argparse
import csv
import functools
import gc
import io
import json
import multiprocessing
import os
import re
import zoneinfo
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import compress, repeat
from operator import itemgetter, mul, not_
from pathlib import Path
from typing import IO, Any

import phonenumbers
import platformdirs
from phonenumbers import PhoneMetadata

from console.api.models import ContactList
from console.contacts.reader import CsvSource, parse_text
from console.contacts.result import RULES, Severity, ValidationIssue, ValidationResult
from console.contacts.rules import map_header
from console.errors import Cancelled
from console.fileio import atomic_write

__all__ = [
    "CSV_COLUMNS",
    "NOT_APPLICABLE",
    "SHORT_MINUTES",
    "SHORT_RULE",
    "DialPlan",
    "DialingReport",
    "DialingSettings",
    "DialingWindows",
    "Window",
    "WindowMerger",
    "add_dialing_arguments",
    "applies",
    "batch_windows",
    "compute_windows",
    "dial_plan",
    "dialing_request",
    "for_check",
    "phone_zones",
    "run_dialing",
    "window_for",
    "window_label",
    "write_windows_csv",
    "zip_zone",
    "zone_label",
]

MAPPED_SOURCES = ("phones", "phones+zip", "zone column")
CSV_COLUMNS = (
    "row",
    "line",
    "zones",
    "source",
    "reason",
    "window_start",
    "window_end",
    "window_zone",
    "callable_at",
)
_BATCH = 50_000
_POOL_BYTES = 4_000_000
"""Files larger than this are read by two worker processes (as validate does)."""


def _minutes(hhmm: str) -> int:
    h, _, m = hhmm.partition(":")
    return int(h) * 60 + int(m)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class DialingSettings:
    """The org's automatic time-zone mapping windows (``GET /api/v2/outbound/settings``).

    Attributes:
        mapped_start: Earliest callable local time in a mapped zone, minutes after midnight.
        mapped_end: Latest callable local time (exclusive: the dialer stops one minute before).
        default_start: Earliest time of the default window, in ``default_zone``.
        default_end: Latest time of the default window.
        default_zone: IANA zone of the default window.
        supported_countries: Regions whose numbers map.
    """

    mapped_start: int = 8 * 60
    mapped_end: int = 21 * 60
    default_start: int = 14 * 60
    default_end: int = 20 * 60
    default_zone: str = "America/New_York"
    supported_countries: frozenset[str] = frozenset({"US", "CA"})

    @classmethod
    def from_wire(cls, body: Mapping[str, Any]) -> DialingSettings:
        """Parse an OutboundSettings body (SDK JSON names); missing parts keep the documented default."""
        atzm = body.get("automaticTimeZoneMapping") or {}
        windows = atzm.get("callableWindows") or [{}]
        first = windows[0] or {}
        mapped, unmapped = first.get("mapped") or {}, first.get("unmapped") or {}
        d = cls()
        countries = atzm.get("supportedCountries")
        return cls(
            mapped_start=_minutes(mapped.get("earliestCallableTime") or _hhmm(d.mapped_start)),
            mapped_end=_minutes(mapped.get("latestCallableTime") or _hhmm(d.mapped_end)),
            default_start=_minutes(unmapped.get("earliestCallableTime") or _hhmm(d.default_start)),
            default_end=_minutes(unmapped.get("latestCallableTime") or _hhmm(d.default_end)),
            default_zone=unmapped.get("timeZoneId") or d.default_zone,
            supported_countries=frozenset(countries) if countries else d.supported_countries,
        )


@dataclass(frozen=True)
class Window:
    """One contact's dialing window.

    Attributes:
        zones: Mapped IANA zones, sorted (empty for the default window).
        source: ``phones``, ``phones+zip``, ``zone column`` or ``default``.
        reason: Why the default window applies (``invalid ZIP``, ``no phone maps``,
            ``invalid time zone``, ``no time zone``); empty otherwise.
        start: Window start, minutes after local midnight in ``zone`` (at the evaluated instant).
        end: Window end (exclusive); ``start >= end`` means the zones never overlap.
        zone: The zone the times are written in: the easternmost mapped zone (as the platform's
            table writes "10:00-21:00 Eastern"), or the default window's zone.
        callable: Whether a dial is allowed at the evaluated instant.
    """

    zones: tuple[str, ...]
    source: str
    reason: str
    start: int
    end: int
    zone: str
    callable: bool

    @property
    def is_default(self) -> bool:
        """True when the org default window applies."""
        return self.source == "default"

    @property
    def minutes(self) -> int:
        """Length of the window in minutes (0 when empty)."""
        return max(0, self.end - self.start)


@functools.lru_cache(maxsize=4096)
def _offset_minutes(zone: str, at: datetime) -> int:
    off = at.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    assert off is not None
    return int(off.total_seconds() // 60)


def _callable(zone: str, start: int, end: int, at: datetime) -> bool:
    local = at.astimezone(zoneinfo.ZoneInfo(zone))
    m = local.hour * 60 + local.minute
    return start <= m < end


def window_for(
    zones: Iterable[str], at: datetime, settings: DialingSettings, *, source: str = "phones"
) -> Window:
    """The mapped slot intersected over ``zones`` at instant ``at`` (zones must be non-empty)."""
    zs = tuple(sorted(set(zones)))
    offsets = {z: _offset_minutes(z, at) for z in zs}
    east = max(zs, key=lambda z: (offsets[z], z))
    start = max(settings.mapped_start + offsets[east] - offsets[z] for z in zs)
    end = min(settings.mapped_end + offsets[east] - offsets[z] for z in zs)
    return Window(zs, source, "", start, end, east, start < end and _callable(east, start, end, at))


def _default(reason: str, at: datetime, settings: DialingSettings) -> Window:
    s, e, z = settings.default_start, settings.default_end, settings.default_zone
    return Window((), "default", reason, s, e, z, _callable(z, s, e, at))


def _evaluated(w: Window, at: datetime, settings: DialingSettings) -> Window:
    """Window ``w`` (same zones, same source) evaluated at another instant."""
    if w.is_default:
        return _default(w.reason, at, settings)
    return window_for(w.zones, at, settings, source=w.source)


SHORT_MINUTES = 120
"""A window shorter than this gets the ``dialing.window_short`` finding."""
SHORT_RULE = "dialing.window_short"
_ZONE_NAMES = {
    "America/New_York": ("Eastern", "ET"),
    "America/Detroit": ("Eastern", "ET"),
    "America/Indiana/Indianapolis": ("Eastern", "ET"),
    "America/Toronto": ("Eastern", "ET"),
    "America/Chicago": ("Central", "CT"),
    "America/Winnipeg": ("Central", "CT"),
    "America/Regina": ("Central (Saskatchewan)", "CST"),
    "America/Denver": ("Mountain", "MT"),
    "America/Edmonton": ("Mountain", "MT"),
    "America/Boise": ("Mountain", "MT"),
    "America/Phoenix": ("Mountain (Arizona)", "MST"),
    "America/Los_Angeles": ("Pacific", "PT"),
    "America/Vancouver": ("Pacific", "PT"),
    "America/Anchorage": ("Alaska", "AKT"),
    "Pacific/Honolulu": ("Hawaii", "HST"),
    "America/Halifax": ("Atlantic", "AT"),
    "America/Puerto_Rico": ("Atlantic (Puerto Rico)", "AST"),
    "America/St_Johns": ("Newfoundland", "NT"),
}


_DASH = "\u2013"


def zone_label(zone: str, *, short: bool = False) -> str:
    """A zone as people say it (``Eastern``, or ``ET`` when ``short``); other zones by IANA name."""
    names = _ZONE_NAMES.get(zone)
    if names is None:
        return zone
    return names[1] if short else names[0]


def window_label(w: Window) -> str:
    """``08:00-21:00 Central``, ``default 14:00-20:00 ET`` or ``no common hour (Eastern, Pacific/Guam)``.

    The times are joined with an en dash (as the platform's help writes them).
    """
    if w.is_default:
        return f"default {_hhmm(w.start)}{_DASH}{_hhmm(w.end)} {zone_label(w.zone, short=True)}"
    if w.start >= w.end:
        return f"no common hour ({', '.join(zone_label(z) for z in w.zones)})"
    return f"{_hhmm(w.start)}{_DASH}{_hhmm(w.end)} {zone_label(w.zone)}"


# -- phones ----------------------------------------------------------------------------------------

_NANP_REGIONS = tuple(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
#: Formatting people put in phone numbers; what is left of a NANP number is [+1|1] + ten digits.
_FORMATTING = str.maketrans("", "", " \t\u00a0().-")
_AREA_EXCHANGE = re.compile(r"[2-9]\d\d[2-9]\d\d", re.ASCII)
_HEADS_NANP = frozenset({"", "1", "+1"})
_HEADS_PLUS = frozenset({"+1"})
_TAKE_HEAD, _TAKE_MID, _TAKE_TAIL, _CUT_TAIL = (
    itemgetter(slice(None, -10)),
    itemgetter(slice(-10, -4)),
    itemgetter(slice(-4, None)),
    itemgetter(slice(None, -4)),
)

_CUT_EXCHANGE, _TAKE_EXCHANGE = itemgetter(slice(None, -7)), itemgetter(slice(-7, -4))
_AREA = re.compile(r"[2-9]\d\d", re.ASCII)
_EXCHANGES = dict.fromkeys((f"{n:03d}" for n in range(200, 1000)), 1)
"""The valid NANP exchanges (ASCII, first digit 2-9)."""

PhoneKey = tuple[str, str, bool]
"""(what precedes the last ten characters, area code + exchange, the last four are digits)."""


def _phone_keys(values: Iterable[str]) -> Iterator[PhoneKey]:
    """Column-wise and in C: a key per value that only area code + exchange make distinct."""
    stripped = list(map(str.translate, values, repeat(_FORMATTING)))
    return zip(
        map(_TAKE_HEAD, stripped),
        map(_TAKE_MID, stripped),
        map(str.isdigit, map(_TAKE_TAIL, stripped)),
        strict=True,
    )


@functools.cache
def _tzdata() -> tuple[dict[str, tuple[str, ...]], int]:
    """The prefix -> zones table of libphonenumber (imported on first use: loading it takes ~0.2 s)."""
    from phonenumbers.tzdata import TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX

    return TIMEZONE_DATA, TIMEZONE_LONGEST_PREFIX


@functools.cache
def _leading_digits() -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for region in _NANP_REGIONS:
        md = PhoneMetadata.metadata_for_region(region, None)
        lead = getattr(md, "leading_digits", None)
        if lead:
            out.append((str(region), re.compile(lead)))
    return tuple(out)


@functools.cache
def _area_region(area: str) -> str | None:
    """The NANP region of an area code by libphonenumber's leading digits; None = US or Canada."""
    for region, lead in _leading_digits():
        if lead.match(area):
            return region
    return None


@functools.cache
def _prefix_zones(prefix: str, supported: frozenset[str]) -> tuple[str, ...]:
    """Zones of a 6-digit area code + exchange; () when it cannot map.

    The longest-prefix lookup of ``phonenumbers.timezone.time_zones_for_geographical_number`` on
    its own table (NANP prefixes have at most 7 digits with the country code, so the subscriber
    number never matters; a test checks the two agree).
    """
    region = _area_region(prefix[:3])
    if region is not None and region not in supported:
        return ()
    if region is None and not ({"US", "CA"} & supported):
        return ()
    data, longest = _tzdata()
    key = "1" + prefix
    zones: tuple[str, ...] | None = None
    for n in range(min(len(key), longest), 1, -1):
        zones = data.get(key[:n])
        if zones:
            break
    if not zones or zones == data["1"] or "Etc/Unknown" in zones:
        return ()
    return tuple(sorted(zones))


def _key_zones(key: PhoneKey, heads: frozenset[str], supported: frozenset[str]) -> tuple[str, ...]:
    head, mid, tail_digits = key
    if head not in heads or not tail_digits or _AREA_EXCHANGE.fullmatch(mid) is None:
        return ()
    return _prefix_zones(mid, supported)


def _heads(region: str) -> frozenset[str]:
    """Numbers without ``+1`` are NANP only when the column's default region is a NANP region."""
    return _HEADS_NANP if region.upper() in _NANP_REGIONS else _HEADS_PLUS


def phone_zones(value: str, region: str = "US", settings: DialingSettings | None = None) -> tuple[str, ...]:
    """The zones one phone value maps to (sorted; () = could not map)."""
    (key,) = _phone_keys([value])
    return _key_zones(key, _heads(region), (settings or DialingSettings()).supported_countries)


# -- ZIP codes -------------------------------------------------------------------------------------

_ZIP = re.compile(r"\A\s*(\d{5})(?:-\d{4})?\s*\Z", re.ASCII)


def _zip_cache_path() -> Path:
    import zipcodes

    return (
        Path(platformdirs.user_cache_dir("outbound-console")) / f"zip-timezones-{zipcodes.__version__}.json"
    )


@functools.cache
def zip_table() -> dict[str, str]:
    """Real US ZIP -> IANA zone ("" when the table has none), from ``zipcodes``, cached on disk.

    ``zipcodes.list_all()`` builds 42,000 dicts (about a second); the two columns we need are
    kept as JSON in the user cache dir, keyed by the package version.
    """
    path = _zip_cache_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and len(data) > 40_000:
            return data
    except (OSError, ValueError):
        pass
    import zipcodes

    known = zoneinfo.available_timezones()
    table = {
        z["zip_code"]: (z["timezone"] if z["timezone"] in known else "")
        for z in zipcodes._zipcodes.list_all()
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(table, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # no cache dir: the next run reads the package again
    return table


def zip_zone(value: str) -> str | None:
    """The zone of a ZIP value: a zone, ``""`` when blank / no zone known, None when not a real ZIP."""
    if not value.strip():
        return ""
    m = _ZIP.fullmatch(value)
    if m is None:
        return None
    return zip_table().get(m.group(1))


# -- the whole list --------------------------------------------------------------------------------

_ZIP_NA, _ZIP_INVALID = -1, -2
_TZ_INVALID = -2


class _Ids(dict[Any, int]):
    """value -> id, computing misses with ``make`` (the lookups stay in C)."""

    def __init__(self, make: Callable[[Any], int]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> int:
        value = self[key] = self.make(key)
        return value


@dataclass
class DialingWindows:
    """Every row's window: one :class:`Window` per distinct combination, and the row -> window index.

    Attributes:
        at: The instant ``callable`` refers to (UTC).
        settings: The windows used.
        windows: Distinct windows.
        row_window: Per row, the index into ``windows``.
        findings: ``timezone.invalid`` findings of callable-time columns (at most 1,000 kept).
        finding_count: All such findings.
    """

    at: datetime
    settings: DialingSettings
    windows: list[Window]
    row_window: array[int]
    findings: list[ValidationIssue] = field(default_factory=list)
    finding_count: int = 0
    _counts: Counter[int] | None = field(default=None, repr=False, compare=False)

    def window(self, row: int) -> Window:
        """Row ``row``'s window."""
        return self.windows[self.row_window[row]]

    def _per_window(self) -> Counter[int]:
        if self._counts is None:
            self._counts = Counter(self.row_window)
        return self._counts

    def short_ids(self) -> frozenset[int]:
        """Windows shorter than :data:`SHORT_MINUTES` (empty ones included)."""
        return frozenset(k for k, w in enumerate(self.windows) if w.minutes < SHORT_MINUTES)

    def is_short(self, row: int) -> bool:
        """Whether row ``row``'s window is shorter than :data:`SHORT_MINUTES`."""
        return self.windows[self.row_window[row]].minutes < SHORT_MINUTES

    def short_rows(self) -> array[int]:
        """Rows whose window is shorter than :data:`SHORT_MINUTES`, ascending (C-level scan)."""
        short = self.short_ids()
        if not short:
            return array("l")
        return array("l", compress(range(len(self.row_window)), map(short.__contains__, self.row_window)))

    def short_finding(self, row: int, line: int) -> ValidationIssue:
        """The ``dialing.window_short`` finding of a row with a short window."""
        w = self.window(row)
        rule = RULES[SHORT_RULE]
        where = " and ".join(zone_label(z) for z in w.zones) or zone_label(w.zone)
        hours = "no hour at all" if w.minutes == 0 else f"only {window_label(w)}"
        return ValidationIssue(
            row,
            line,
            None,
            SHORT_RULE,
            rule.severity,
            f"Row {row + 1} (line {line}) can be dialled {hours}: its phones and ZIP map to {where}, "
            f"and the callable hours of those zones overlap for less than {SHORT_MINUTES // 60} hours.",
            rule.fix,
        )

    def callable_count(self, at: datetime) -> int:
        """Contacts the dialer may call at instant ``at`` (each distinct window evaluated at ``at``)."""
        at = at.astimezone(UTC)
        total = 0
        for k, n in self._per_window().items():
            if _evaluated(self.windows[k], at, self.settings).callable:
                total += n
        return total

    def summary(self) -> dict[str, object]:
        """``{"zones": {zone: contacts}, "mapped": N, "default": M, "callable": K, "at": iso}``.

        A contact mapped to several zones counts once in each.
        """
        zones: Counter[str] = Counter()
        mapped = default = callable_ = 0
        for k, n in self._per_window().items():
            w = self.windows[k]
            if w.is_default:
                default += n
            else:
                mapped += n
                for z in w.zones:
                    zones[z] += n
            if w.callable:
                callable_ += n
        return {
            "zones": dict(zones.most_common()),
            "mapped": mapped,
            "default": default,
            "callable": callable_,
            "at": self.at.isoformat(),
        }

    def default_reasons(self) -> dict[str, int]:
        """Contacts in the default window per reason."""
        out: Counter[str] = Counter()
        for k, n in self._per_window().items():
            if self.windows[k].is_default:
                out[self.windows[k].reason] += n
        return dict(out.most_common())

    def summary_line(self) -> str:
        """``dialing: N mapped, M default window, K callable at <time>``."""
        s = self.summary()
        return (
            f"dialing: {s['mapped']} mapped, {s['default']} default window, "
            f"{s['callable']} callable at {s['at']}"
        )


def applies(definition: ContactList) -> bool:
    """True when the list has automatic time-zone mapping or a callable-time column on a phone."""
    return bool(definition.automatic_time_zone_mapping) or any(
        pc.callable_time_column for pc in definition.phone_columns or []
    )


NOT_APPLICABLE = (
    "The list has no automatic time-zone mapping and no callable-time column: the platform "
    "computes no dialing window per contact (turn on automatic time-zone mapping in the list)."
)
"""Why a list shows no dialing windows."""


def for_check(
    source: CsvSource,
    definition: ContactList,
    result: ValidationResult,
    *,
    settings: DialingSettings | None = None,
    region: str = "US",
    cancel: Callable[[], bool] | None = None,
) -> tuple[DialingWindows | None, str]:
    """The windows of a validated file, or None and the sentence saying why there are none.

    Uses the validation's own header mapping and default regions (``result.plan``).

    Raises:
        Cancelled: ``cancel`` returned True.
    """
    if not applies(definition):
        return None, NOT_APPLICABLE
    if result.cancelled:
        return None, "The check was stopped before the end: no dialing windows."
    if result.dialing is not None:  # the check computed them (``ValidationOptions.dialing``)
        return result.dialing, ""
    regions = {}
    if result.plan is not None:
        names = {v: k for k, v in result.columns.items()}
        regions = {
            names[c.index]: c.region for c in result.plan.checks if c.kind == "phone" and c.index in names
        }
    dialing = compute_windows(
        source,
        definition,
        result.columns,
        settings=settings,
        regions=regions,
        region=region,
        result=result,
        cancel=cancel,
    )
    return dialing, ""


def _invalid_phone_rows(result: ValidationResult | None, phone_cols: Sequence[int]) -> dict[int, set[int]]:
    """CSV column -> rows whose phone the validation rejected (error-level phone findings)."""
    out: dict[int, set[int]] = {c: set() for c in phone_cols}
    if result is None:
        return out
    for i in result.rows_with(Severity.ERROR):
        for col, code in result.codes_for_row(i):
            if col in out and code.startswith("phone.") and RULES[code].severity >= Severity.ERROR:
                out[col].add(i)
    return out


def _phone_id(
    zset: Callable[[tuple[str, ...]], int], heads: frozenset[str], supported: frozenset[str], key: PhoneKey
) -> int:
    return zset(_key_zones(key, heads, supported))


def _prefix_phone_id(
    zset: Callable[[tuple[str, ...]], int],
    areas: dict[tuple[str, str], int],
    heads: frozenset[str],
    supported: frozenset[str],
    prefix: str,
) -> int:
    """Zone-set id of a phone value ending in four digits, from what precedes them.

    The general key strips the formatting from the whole value; with four digits last, that is
    the stripped prefix plus those digits, so its head and area code + exchange are the
    stripped prefix's head and last six characters. The zones are looked up per area code
    (``areas``: -1 for the few area codes whose zones depend on the exchange), so a miss here
    costs a strip and a dict lookup.
    """
    stripped = prefix.translate(_FORMATTING)
    head, mid = stripped[:-6], stripped[-6:]
    if head not in heads or _AREA_EXCHANGE.fullmatch(mid) is None:
        return 0
    area = (head, mid[:3])
    zid = areas.get(area)
    if zid is None:
        zid = areas[area] = (
            -1 if mid[:3] in _split_areas() else zset(_key_zones((head, mid, True), heads, supported))
        )
    if zid < 0:
        return zset(_key_zones((head, mid, True), heads, supported))
    return zid


def _area_id(
    zset: Callable[[tuple[str, ...]], int], heads: frozenset[str], supported: frozenset[str], key: str
) -> int:
    """Zone-set id of what precedes a stripped NANP number's exchange (head + area code).

    0 when no exchange can make it map (a head the column does not dial as NANP, no area code);
    -1 for the few area codes whose zones depend on the exchange.
    """
    head, area = key[:-3], key[-3:]
    if head not in heads or _AREA.fullmatch(area) is None:
        return 0
    if area in _split_areas():
        return -1
    return zset(_key_zones((head, area + "200", True), heads, supported))  # any exchange: the same zones


def _area_keyed(vals: list[str], by_area: _Ids, by_prefix: _Ids) -> list[int]:
    """Zone-set id of each value, as :func:`_prefix_phone_id` gives it for values ending in four digits.

    Column-wise: one C-level strip of the newline-joined column, then the head + area code of
    each value looked up (a few hundred keys for a million rows) and its exchange checked in a
    dict; only the split area codes look at the exchange (:func:`_prefix_phone_id`). Values not
    ending in four digits get an id here too; the caller replaces them.
    """
    joined = "\n".join(vals)
    if joined.count("\n") == len(vals) - 1:
        stripped = joined.translate(_FORMATTING).split("\n")
    else:  # a value holds a newline
        stripped = [v.translate(_FORMATTING) for v in vals]
    areas = map(by_area.__getitem__, map(_CUT_EXCHANGE, stripped))
    valid = map(_EXCHANGES.get, map(_TAKE_EXCHANGE, stripped), repeat(0))
    got = list(map(mul, areas, valid))  # an invalid exchange (0) maps nothing
    if -1 in got:
        for i in [i for i, a in enumerate(got) if a < 0]:
            got[i] = by_prefix[_CUT_TAIL(vals[i])]
    return got


@functools.cache
def _split_areas() -> frozenset[str]:
    """Area codes some of whose exchanges libphonenumber gives other zones than the area code."""
    data, _ = _tzdata()
    return frozenset(k[1:4] for k in data if k.startswith("1") and len(k) > 4)


def compute_windows(
    source: CsvSource,
    definition: ContactList,
    columns: Mapping[str, int],
    *,
    at: datetime | None = None,
    settings: DialingSettings | None = None,
    regions: Mapping[str, str] | None = None,
    region: str = "US",
    result: ValidationResult | None = None,
    cancel: Callable[[], bool] | None = None,
) -> DialingWindows:
    """Every row's dialing window.

    Args:
        source: The opened CSV file.
        definition: The contact list (automatic mapping, ZIP column, phone columns).
        columns: List column -> CSV column index (the validation's header mapping).
        at: Instant for ``callable`` (default now).
        settings: The org's windows (default: the documented platform default).
        regions: Per phone column default region (as the validation's options).
        region: Default region for the other phone columns.
        result: The validation of the same file: phones it rejects do not map.
        cancel: Polled between batches (an ``Event.is_set``).

    Raises:
        Cancelled: ``cancel`` returned True.
        ValueError: The list has neither automatic time-zone mapping nor callable-time columns.
    """
    if not applies(definition):
        raise ValueError(
            "The list has no automatic time-zone mapping and no callable-time column, "
            "so the platform does not compute a dialing window per contact."
        )
    settings = settings or DialingSettings()
    at = (at or datetime.now(UTC)).astimezone(UTC)
    plan = dial_plan(definition, columns, settings=settings, regions=regions, region=region)
    assert plan is not None  # applies() held
    invalid = _invalid_phone_rows(result, plan.cols if plan.automatic else [])
    merger = WindowMerger(plan, at, settings)

    def take(lo: int, got: _BatchOut | None) -> None:
        if cancel is not None and cancel():
            raise Cancelled
        if got is None:  # the worker could not split the range as the index does: parse it here
            hi = lo + _BATCH
            got = _run_batch(plan, source.records(lo, hi), lo, _invalid_in(invalid, lo, hi))
        merger.take(got, source)

    source.build_index()
    total = source.row_count
    starts = range(0, total, _BATCH)
    if source.size_bytes <= _POOL_BYTES or (os.cpu_count() or 1) < 2:
        for lo in starts:
            take(
                lo,
                _run_batch(plan, source.records(lo, lo + _BATCH), lo, _invalid_in(invalid, lo, lo + _BATCH)),
            )
    else:
        from console.contacts.validate import _end_with_parent, pool_start_method

        ctx = multiprocessing.get_context(pool_start_method())
        with ProcessPoolExecutor(
            max_workers=2, mp_context=ctx, initializer=_end_with_parent, initargs=(os.getpid(),)
        ) as pool:
            futures = []
            for lo in starts:
                hi = min(lo + _BATCH, total)
                first, last = source.byte_range(lo, hi)
                futures.append(
                    pool.submit(
                        _range_batch,
                        plan,
                        str(source.data_path),
                        source.codec,
                        source.dialect,
                        first,
                        last,
                        hi - lo,
                        lo,
                        _invalid_in(invalid, lo, hi),
                    )
                )
            try:
                for lo, fut in zip(starts, futures, strict=True):
                    take(lo, fut.result())
            except Cancelled:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    _STATES.pop(plan, None)  # this process's caches: the next file starts afresh
    return merger.windows()


def dial_plan(
    definition: ContactList,
    columns: Mapping[str, int],
    *,
    settings: DialingSettings | None = None,
    regions: Mapping[str, str] | None = None,
    region: str = "US",
) -> DialPlan | None:
    """What a batch needs to key each row's window (picklable), or None when the list has no windows.

    Args:
        definition: The contact list (automatic mapping, ZIP column, phone columns).
        columns: List column -> CSV column index (the validation's header mapping).
        settings: The org's windows (their supported countries decide which heads map).
        regions: Per phone column default region.
        region: Default region of the other phone columns.
    """
    if not applies(definition):
        return None
    supported = (settings or DialingSettings()).supported_countries
    regions = regions or {}
    phones = [pc for pc in definition.phone_columns or [] if pc.column_name in columns]
    if definition.automatic_time_zone_mapping:
        zip_name = definition.zip_code_column_name
        return DialPlan(
            True,
            tuple(columns[pc.column_name] for pc in phones),
            tuple(_heads(regions.get(pc.column_name, region)) for pc in phones),
            columns.get(zip_name) if zip_name else None,
            supported,
        )
    cols = tuple(
        columns[pc.callable_time_column]
        for pc in phones
        if pc.callable_time_column and pc.callable_time_column in columns
    )
    return DialPlan(False, cols, (), None, supported)


class WindowMerger:
    """Turns the batches' combination indexes, in row order, into one :class:`DialingWindows`.

    A batch keys its rows by combinations local to the process that ran it (a pool worker's
    caches last across its batches); here each combination becomes a window once.
    """

    def __init__(self, plan: DialPlan, at: datetime, settings: DialingSettings) -> None:
        self.automatic = plan.automatic
        self.at, self.settings = at, settings
        self._windows: list[Window] = []
        self._window_ids: dict[Window, int] = {}
        self._by_canon: dict[tuple[object, ...], int] = {}
        self._rows: array[int] = array("I")
        self._findings: list[ValidationIssue] = []
        self._finding_count = 0

    def _ids(self, canons: list[tuple[object, ...]]) -> list[int]:
        out = []
        for canon in canons:
            if canon not in self._by_canon:
                w = _window_of(canon, self.automatic, self.at, self.settings)
                if w not in self._window_ids:
                    self._window_ids[w] = len(self._windows)
                    self._windows.append(w)
                self._by_canon[canon] = self._window_ids[w]
            out.append(self._by_canon[canon])
        return out

    def take(self, got: _BatchOut, source: CsvSource) -> None:
        """Add the next batch (``source`` reads the bad time-zone cells for their findings)."""
        idx, canons, bad_tz = got
        self._rows.extend(map(self._ids(canons).__getitem__, idx))
        self._finding_count += len(bad_tz)
        for row, col in bad_tz[: max(0, 1000 - len(self._findings))]:
            self._findings.append(_tz_finding(source, source.record(row), row, col))

    def windows(self) -> DialingWindows:
        """Every row taken so far, with its window."""
        return DialingWindows(
            self.at, self.settings, self._windows, self._rows, self._findings, self._finding_count
        )


def columns_read(plan: DialPlan) -> tuple[int, ...]:
    """The CSV columns :func:`batch_windows` reads."""
    return plan.cols if plan.zip_col is None else (*plan.cols, plan.zip_col)


def forget_caches(plan: DialPlan) -> None:
    """Drop this process's caches of ``plan`` (the next file starts afresh)."""
    _STATES.pop(plan, None)


def _invalid_in(invalid: Mapping[int, set[int]], lo: int, hi: int) -> dict[int, list[int]]:
    return {col: [i - lo for i in rows if lo <= i < hi] for col, rows in invalid.items() if rows}


@dataclass(frozen=True)
class DialPlan:
    """What a batch needs (picklable): the columns and how to read them."""

    automatic: bool
    cols: tuple[int, ...]
    """Phone columns (automatic mapping) or callable-time columns."""
    heads: tuple[frozenset[str], ...]
    """Per phone column, what may precede a NANP number's ten digits."""
    zip_col: int | None
    supported: frozenset[str]


_BatchOut = tuple["array[int]", list[tuple[object, ...]], list[tuple[int, int]]]
"""Per row, an index into the combinations; the combinations (zone tuples or markers); bad zones."""


class _State:
    """One process's caches for one plan (they persist across the batches of a pool worker)."""

    def __init__(self, plan: DialPlan) -> None:
        self.zsets: list[tuple[str, ...]] = [()]
        self.zset_ids: dict[tuple[str, ...], int] = {(): 0}
        if plan.automatic:
            self.ids = [
                _Ids(functools.partial(_phone_id, self.zset, heads, plan.supported)) for heads in plan.heads
            ]
            by_heads = {
                heads: _Ids(functools.partial(_prefix_phone_id, self.zset, {}, heads, plan.supported))
                for heads in set(plan.heads)
            }
            self.prefix_ids = [by_heads[heads] for heads in plan.heads]  # columns share what they can
            by_area = {
                heads: _Ids(functools.partial(_area_id, self.zset, heads, plan.supported))
                for heads in set(plan.heads)
            }
            self.area_ids = [by_area[heads] for heads in plan.heads]
        else:
            self.known = zoneinfo.available_timezones()
            self.ids = [_Ids(self.tz_id) for _ in plan.cols]
            self.prefix_ids = [_Ids(int) for _ in plan.cols]
            self.area_ids = [_Ids(int) for _ in plan.cols]
        self.zip_ids = _Ids(self.zip_id)
        if plan.zip_col is not None:  # every five-digit value at once: the lookups of a batch stay in C
            table = zip_table()
            for n in range(100_000):
                z = f"{n:05d}"
                zone = table.get(z)
                self.zip_ids[z] = _ZIP_INVALID if zone is None else self.zset((zone,)) if zone else _ZIP_NA
        self.canons: list[tuple[object, ...]] = []
        self.combos = _Ids(self.combo)

    def zset(self, zs: tuple[str, ...]) -> int:
        if zs not in self.zset_ids:
            self.zset_ids[zs] = len(self.zsets)
            self.zsets.append(zs)
        return self.zset_ids[zs]

    def tz_id(self, value: str) -> int:
        v = value.strip()
        if not v:
            return 0
        return self.zset((v,)) if v in self.known else _TZ_INVALID

    def zip_id(self, value: str) -> int:
        z = zip_zone(value)
        if z is None:
            return _ZIP_INVALID
        return self.zset((z,)) if z else _ZIP_NA

    def combo(self, key: tuple[int, ...]) -> int:
        self.canons.append(tuple(self.zsets[p] if p >= 0 else p for p in key))
        return len(self.canons) - 1


_STATES: dict[DialPlan, _State] = {}


def _state(plan: DialPlan) -> _State:
    state = _STATES.get(plan)
    if state is None:
        state = _STATES[plan] = _State(plan)
    return state


def _run_batch(
    plan: DialPlan, records: list[list[str]], lo: int, invalid: Mapping[int, list[int]]
) -> _BatchOut:
    """The combination index of each record (``invalid``: per column, batch rows that do not map)."""
    needed = max([*plan.cols, -1 if plan.zip_col is None else plan.zip_col])
    if records and min(map(len, records)) <= needed:  # ragged or blank rows: missing cells are blank
        records = [r if len(r) > needed else r + [""] * (needed + 1 - len(r)) for r in records]
    values = {col: list(map(itemgetter(col), records)) for col in columns_read(plan)}
    return batch_windows(plan, values, len(records), lo, invalid)


def batch_windows(
    plan: DialPlan, values: Mapping[int, list[str]], count: int, lo: int, invalid: Mapping[int, Sequence[int]]
) -> _BatchOut:
    """The combination index of each of ``count`` rows from their cells.

    Args:
        plan: From :func:`dial_plan`.
        values: CSV column -> the batch's values (blank for a missing cell) of every column the
            plan reads (``plan.cols`` and the ZIP column).
        count: Rows in the batch.
        lo: Row number of the batch's first row.
        invalid: Per phone column, batch rows whose phone the validation rejected (they do not map).
    """
    state = _state(plan)
    cols: list[list[int]] = []
    for col, ids, by_prefix, by_area in zip(
        plan.cols, state.ids, state.prefix_ids, state.area_ids, strict=True
    ):
        vals = values[col]
        if not plan.automatic:
            cols.append(list(map(ids.__getitem__, vals)))
            continue
        # a value ending in four digits is keyed by what precedes them (area code and exchange
        # with their formatting: tens of thousands of keys for a million rows); the rest by the
        # general key
        got = _area_keyed(vals, by_area, by_prefix)
        others = list(compress(range(len(vals)), map(not_, map(str.isdigit, map(_TAKE_TAIL, vals)))))
        if others:
            keys = _phone_keys(map(vals.__getitem__, others))
            for i, zid in zip(others, map(ids.__getitem__, keys), strict=True):
                got[i] = zid
        cols.append(got)
    zips = values[plan.zip_col] if plan.zip_col is not None else None
    return _combine(plan, state, cols, zips, count, lo, invalid)


def _combine(
    plan: DialPlan,
    state: _State,
    cols: list[list[int]],
    zips: list[str] | None,
    count: int,
    lo: int,
    invalid: Mapping[int, Sequence[int]],
) -> _BatchOut:
    """Per-column zone-set ids (and the ZIP values) -> the combination index of each row."""
    bad_tz: list[tuple[int, int]] = []
    for col, got in zip(plan.cols, cols, strict=True):
        for i in invalid.get(col, ()):
            got[i] = 0
        if not plan.automatic and _TZ_INVALID in got:
            bad_tz.extend((lo + k, col) for k in compress(range(len(got)), map(_TZ_INVALID.__eq__, got)))
    zcol = list(map(state.zip_ids.__getitem__, zips)) if zips is not None else list(repeat(_ZIP_NA, count))
    idx = array("I", map(state.combos.__getitem__, zip(*cols, zcol, strict=True)))
    return idx, list(state.canons), bad_tz


def _range_batch(
    plan: DialPlan,
    data_path: str,
    codec: str,
    dialect: dict[str, object],
    first: int,
    last: int,
    count: int,
    lo: int,
    invalid: Mapping[int, list[int]],
) -> _BatchOut | None:
    """Pool-worker body: read and parse bytes ``first``..``last``; None unless they are ``count`` records."""
    with open(data_path, "rb") as fh:
        fh.seek(first)
        raw = fh.read(last - first)
    was_enabled = gc.isenabled()
    gc.disable()  # a batch makes 50,000 small lists: the cyclic collector would rescan them all
    try:
        records = parse_text(raw.decode(codec, errors="replace"), dialect)
        if len(records) != count:
            return None
        return _run_batch(plan, records, lo, invalid)
    finally:
        if was_enabled:
            gc.enable()


def _window_of(canon: tuple[object, ...], automatic: bool, at: datetime, settings: DialingSettings) -> Window:
    *parts, zpart = canon
    phone_sets = [p for p in parts if isinstance(p, tuple)]
    if automatic:
        if zpart == _ZIP_INVALID:
            return _default("invalid ZIP", at, settings)
        if not any(phone_sets):
            return _default("no phone maps", at, settings)
        zones = {z for p in phone_sets for z in p}
        with_zip = isinstance(zpart, tuple)
        if isinstance(zpart, tuple):
            zones.update(zpart)
        return window_for(zones, at, settings, source="phones+zip" if with_zip else "phones")
    if _TZ_INVALID in parts:
        return _default("invalid time zone", at, settings)
    if not any(phone_sets):
        return _default("no time zone", at, settings)
    return window_for({z for p in phone_sets for z in p}, at, settings, source="zone column")


def _tz_finding(source: CsvSource, record: list[str], row: int, col: int) -> ValidationIssue:
    rule = RULES["timezone.invalid"]
    value = record[col]
    line = source.physical_line(row)
    name = source.header[col] if col < len(source.header) else f"#{col + 1}"
    return ValidationIssue(
        row,
        line,
        name,
        "timezone.invalid",
        rule.severity,
        f"{name} {value!r} (row {row + 1}, line {line}) is not an IANA time zone: "
        "the contact gets the default dialing window.",
        rule.fix,
        value,
    )


def write_windows_csv(source: CsvSource, dialing: DialingWindows, out: IO[str]) -> None:
    """One line per contact row: :data:`CSV_COLUMNS`."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    tails = [
        [
            " ".join(w.zones),
            w.source,
            w.reason,
            _hhmm(w.start),
            _hhmm(w.end) if w.start < w.end else _hhmm(w.start),
            w.zone,
            "yes" if w.callable else "no",
        ]
        for w in dialing.windows
    ]
    # each distinct tail is formatted once by the csv module; the rows are joined in C
    texts = []
    for tail in tails:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow(tail)
        texts.append(buf.getvalue())
    rw = dialing.row_window
    rows = range(len(rw))
    out.writelines(
        map("{},{},{}\n".format, rows, map(source.physical_line, rows), map(texts.__getitem__, rw))
    )


# -- the validate command's part -------------------------------------------------------------------


def add_dialing_arguments(parser: argparse.ArgumentParser) -> None:
    """``--dialing-windows OUT.csv`` and ``--at ISO-DATETIME`` of ``outbound-console validate``."""
    parser.add_argument(
        "--dialing-windows",
        metavar="OUT.csv",
        help="write each contact's dialing window (automatic time-zone mapping rules) to this CSV",
    )
    parser.add_argument(
        "--at",
        metavar="ISO-DATETIME",
        help="instant for the callable_at column and count (default now; without an offset: local time)",
    )


@dataclass
class DialingReport:
    """What ``validate`` prints of the dialing windows.

    Attributes:
        summary_line: The summary line's ``dialing: ...`` part.
        json: The JSON ``dialing`` object.
        short_count: Rows with a window shorter than :data:`SHORT_MINUTES` (rule ``dialing.window_short``).
        short_findings: The first 20 of them.
    """

    summary_line: str
    json: dict[str, object]
    short_count: int
    short_findings: list[ValidationIssue]


def dialing_request(args: argparse.Namespace) -> tuple[bool, datetime | None]:
    """Whether ``--dialing-windows`` or ``--at`` asks for the windows, and the ``--at`` instant.

    Raises:
        ValueError: ``--at`` is not an ISO date-time.
    """
    at_text = getattr(args, "at", None)
    wanted = getattr(args, "dialing_windows", None) is not None or at_text is not None
    if at_text is None:
        return wanted, None
    try:
        at = datetime.fromisoformat(at_text)
    except ValueError:
        example = "2026-03-02T15:30-05:00"
        raise ValueError(f"--at {at_text!r} is not an ISO date-time such as {example}.") from None
    return wanted, at.astimezone()  # a time without an offset is local time


def run_dialing(
    args: argparse.Namespace, source: CsvSource, definition: ContactList, result: ValidationResult
) -> DialingReport | None:
    """Compute and write the windows when ``--dialing-windows`` or ``--at`` was given.

    Returns:
        The summary, JSON and short-window findings, or None.

    Raises:
        ValueError: ``--at`` is not an ISO date-time, the list has no dialing windows, or the
            CSV cannot be written (the message says which).
    """
    wanted, at = dialing_request(args)
    if not wanted:
        return None
    out_path = getattr(args, "dialing_windows", None)
    dialing = result.dialing  # the check keyed them (``ValidationOptions.dialing``)
    if dialing is None:
        columns = map_header(source.header, definition.column_names).columns
        dialing = compute_windows(
            source, definition, columns, at=at, region=getattr(args, "region", "US").upper(), result=result
        )
    if out_path is not None:
        try:
            with atomic_write(out_path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
                write_windows_csv(source, dialing, fh)
        except OSError as exc:
            raise ValueError(f"cannot write the dialing windows {out_path}: {exc.strerror or exc}.") from exc
    summary = dialing.summary()
    short = dialing.short_rows()
    return DialingReport(
        dialing.summary_line(),
        {k: summary[k] for k in ("zones", "mapped", "default", "callable", "at")},
        len(short),
        [dialing.short_finding(int(i), source.physical_line(int(i))) for i in short[:20]],
    )
