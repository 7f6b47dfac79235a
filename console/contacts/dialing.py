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
import json
import re
import zoneinfo
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import compress, repeat
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

import phonenumbers
import platformdirs
from phonenumbers import PhoneMetadata
from phonenumbers.phonenumber import PhoneNumber
from phonenumbers.timezone import time_zones_for_geographical_number

from console.api.models import ContactList
from console.contacts.reader import CsvSource
from console.contacts.result import RULES, Severity, ValidationIssue, ValidationResult
from console.contacts.rules import map_header

__all__ = [
    "CSV_COLUMNS",
    "DialingSettings",
    "DialingWindows",
    "Window",
    "add_dialing_arguments",
    "applies",
    "compute_windows",
    "phone_zones",
    "run_dialing",
    "window_for",
    "write_windows_csv",
    "zip_zone",
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


# -- phones ----------------------------------------------------------------------------------------

_NANP_REGIONS = tuple(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
_SEP = r"[\s().\-]*"
#: A NANP number as people write it: optional ``+1``/``1``, area code and exchange starting 2-9.
_NANP = re.compile(rf"\A\s*(?:\+{_SEP}1|1)?{_SEP}([2-9]\d\d){_SEP}([2-9]\d\d){_SEP}\d{{4}}\s*\Z", re.ASCII)
_NANP_PLUS_ONLY = re.compile(rf"\A\s*\+{_SEP}1{_SEP}([2-9]\d\d){_SEP}([2-9]\d\d){_SEP}\d{{4}}\s*\Z", re.ASCII)
#: Marks a phone key made by the pattern (a raw cell value never starts with NUL in practice).
_KEY = "\x00"
_COUNTRY_WIDE = time_zones_for_geographical_number(PhoneNumber(country_code=1, national_number=0))


@functools.cache
def _area_region(area: str) -> str | None:
    """The NANP region of an area code by libphonenumber's leading digits; None = US or Canada."""
    for region in _NANP_REGIONS:
        md = PhoneMetadata.metadata_for_region(region, None)
        lead = getattr(md, "leading_digits", None)
        if lead and re.match(lead, area):
            return str(region)
    return None


@functools.cache
def _prefix_zones(prefix: str, supported: frozenset[str]) -> tuple[str, ...]:
    """Zones of a 6-digit area code + exchange; () when it cannot map."""
    region = _area_region(prefix[:3])
    if region is not None and region not in supported:
        return ()
    if region is None and not ({"US", "CA"} & supported):
        return ()
    zones = time_zones_for_geographical_number(
        PhoneNumber(country_code=1, national_number=int(prefix) * 10_000)
    )
    if not zones or zones == _COUNTRY_WIDE or "Etc/Unknown" in zones:
        return ()
    return tuple(sorted(zones))


def _phone_pattern(region: str) -> re.Pattern[str]:
    """Numbers without ``+`` are NANP only when the column's default region is a NANP region."""
    return _NANP if region.upper() in _NANP_REGIONS else _NANP_PLUS_ONLY


def phone_zones(value: str, region: str = "US", settings: DialingSettings | None = None) -> tuple[str, ...]:
    """The zones one phone value maps to (sorted; () = could not map)."""
    m = _phone_pattern(region).fullmatch(value)
    if m is None:
        return ()
    return _prefix_zones(m.group(1) + m.group(2), (settings or DialingSettings()).supported_countries)


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

    def window(self, row: int) -> Window:
        """Row ``row``'s window."""
        return self.windows[self.row_window[row]]

    def _per_window(self) -> Counter[int]:
        return Counter(self.row_window)

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

    Raises:
        ValueError: The list has neither automatic time-zone mapping nor callable-time columns.
    """
    if not applies(definition):
        raise ValueError(
            "The list has no automatic time-zone mapping and no callable-time column, "
            "so the platform does not compute a dialing window per contact."
        )
    settings = settings or DialingSettings()
    at = (at or datetime.now(UTC)).astimezone(UTC)
    regions = regions or {}
    automatic = bool(definition.automatic_time_zone_mapping)
    phones = [pc for pc in definition.phone_columns or [] if pc.column_name in columns]

    zsets: list[tuple[str, ...]] = [()]
    zset_ids: dict[tuple[str, ...], int] = {(): 0}

    def zset(zs: tuple[str, ...]) -> int:
        if zs not in zset_ids:
            zset_ids[zs] = len(zsets)
            zsets.append(zs)
        return zset_ids[zs]

    getters: list[tuple[int, Callable[[str], str] | None, _Ids]] = []
    if automatic:
        for pc in phones:
            pattern = _phone_pattern(regions.get(pc.column_name, region))
            keyer = functools.partial(pattern.sub, _KEY + r"\1\2")

            def phone_id(key: str) -> int:
                if key.startswith(_KEY) and len(key) == 7:
                    return zset(_prefix_zones(key[1:], settings.supported_countries))
                return 0

            getters.append((columns[pc.column_name], keyer, _Ids(phone_id)))
        zip_name = definition.zip_code_column_name
        zip_col = columns.get(zip_name) if zip_name else None
    else:
        known = zoneinfo.available_timezones()

        def tz_id(value: str) -> int:
            v = value.strip()
            if not v:
                return 0
            return zset((v,)) if v in known else _TZ_INVALID

        for pc in phones:
            if pc.callable_time_column and pc.callable_time_column in columns:
                getters.append((columns[pc.callable_time_column], None, _Ids(tz_id)))
        zip_col = None

    def zip_id(value: str) -> int:
        z = zip_zone(value)
        if z is None:
            return _ZIP_INVALID
        return zset((z,)) if z else _ZIP_NA

    zip_ids = _Ids(zip_id)
    invalid = _invalid_phone_rows(result, [g[0] for g in getters] if automatic else [])

    windows: list[Window] = []

    def combo(key: tuple[int, ...]) -> int:
        *parts, zpart = key
        if automatic:
            if zpart == _ZIP_INVALID:
                w = _default("invalid ZIP", at, settings)
            elif not any(parts):
                w = _default("no phone maps", at, settings)
            else:
                zones = {z for p in parts for z in zsets[p]}
                with_zip = zpart >= 0
                if with_zip:
                    zones.update(zsets[zpart])
                w = window_for(zones, at, settings, source="phones+zip" if with_zip else "phones")
        elif _TZ_INVALID in parts:
            w = _default("invalid time zone", at, settings)
        elif not any(parts):
            w = _default("no time zone", at, settings)
        else:
            w = window_for({z for p in parts if p > 0 for z in zsets[p]}, at, settings, source="zone column")
        try:
            return windows.index(w)
        except ValueError:
            windows.append(w)
            return len(windows) - 1

    combos = _Ids(combo)
    row_window: array[int] = array("I")
    needed = max([g[0] for g in getters] + ([zip_col] if zip_col is not None else []), default=-1)
    lo = 0
    findings: list[ValidationIssue] = []
    finding_count = 0
    while True:
        records = source.records(lo, lo + _BATCH)
        if not records:
            break
        if min(map(len, records)) <= needed:  # ragged or blank rows: missing cells are blank
            records = [r if len(r) > needed else r + [""] * (needed + 1 - len(r)) for r in records]
        cols: list[list[int]] = []
        for col, to_key, ids in getters:
            values = map(itemgetter(col), records)
            got = list(map(ids.__getitem__, map(to_key, values) if to_key is not None else values))
            for i in invalid.get(col, ()):
                if lo <= i < lo + len(records):
                    got[i - lo] = 0
            if to_key is None and _TZ_INVALID in got:
                for k in compress(range(len(got)), map(_TZ_INVALID.__eq__, got)):
                    finding_count += 1
                    if len(findings) < 1000:
                        findings.append(_tz_finding(source, records[k], lo + k, col))
            cols.append(got)
        zcol = (
            list(map(zip_ids.__getitem__, map(itemgetter(zip_col), records)))
            if zip_col is not None
            else list(repeat(_ZIP_NA, len(records)))
        )
        row_window.extend(map(combos.__getitem__, zip(*cols, zcol, strict=True)))
        lo += len(records)
    return DialingWindows(at, settings, windows, row_window, findings, finding_count)


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
    rw = dialing.row_window
    for i in range(len(rw)):
        writer.writerow([i, source.physical_line(i), *tails[rw[i]]])


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


def run_dialing(
    args: argparse.Namespace, source: CsvSource, definition: ContactList, result: ValidationResult
) -> tuple[str, dict[str, object]] | None:
    """Compute and write the windows when ``--dialing-windows`` or ``--at`` was given.

    Returns:
        The summary line's ``dialing: ...`` part and the JSON ``dialing`` object, or None.

    Raises:
        ValueError: ``--at`` is not an ISO date-time, the list has no dialing windows, or the
            CSV cannot be written (the message says which).
    """
    out_path = getattr(args, "dialing_windows", None)
    at_text = getattr(args, "at", None)
    if out_path is None and at_text is None:
        return None
    at = None
    if at_text is not None:
        try:
            at = datetime.fromisoformat(at_text)
        except ValueError:
            raise ValueError(
                f"--at {at_text!r} is not an ISO date-time such as 2026-03-02T15:30-05:00."
            ) from None
        at = at.astimezone()  # a time without an offset is local time
    columns = map_header(source.header, definition.column_names).columns
    dialing = compute_windows(
        source, definition, columns, at=at, region=getattr(args, "region", "US").upper(), result=result
    )
    if out_path is not None:
        try:
            with open(out_path, "w", encoding="utf-8", newline="") as fh:
                write_windows_csv(source, dialing, fh)
        except OSError as exc:
            raise ValueError(f"cannot write the dialing windows {out_path}: {exc.strerror or exc}.") from exc
    summary = dialing.summary()
    return dialing.summary_line(), {k: summary[k] for k in ("zones", "mapped", "default", "callable", "at")}
