"""Dialing windows (genesys-api.md §6.5): the platform's example table, Newfoundland, non-NANP, the CLI."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.api.models import ContactList
from console.contacts.dialing import (
    CSV_COLUMNS,
    DialingSettings,
    DialingWindows,
    compute_windows,
    phone_zones,
    zip_zone,
)
from console.contacts.reader import open_csv
from console.contacts.rules import map_header

# Winter: Eastern UTC-5, Central UTC-6, Mountain UTC-7, Newfoundland UTC-3:30. 17:00 UTC = 12:00 Eastern.
NOON_ET = datetime(2026, 1, 15, 17, 0, tzinfo=UTC)
EASTERN, CENTRAL, NO_MAP = "(212) 234-5678", "+1 312 234 5678", "call me"
MOUNTAIN_ZIP, CENTRAL_ZIP, BAD_ZIP = "80202", "60601", "00000"

ATZM = {
    "name": "t",
    "columnNames": ["ContactId", "Phone1", "Phone2", "Zip"],
    "phoneColumns": [
        {"columnName": "Phone1", "type": "cell"},
        {"columnName": "Phone2", "type": "home"},
    ],
    "automaticTimeZoneMapping": True,
    "zipCodeColumnName": "Zip",
}


def _windows(
    tmp_path: Path, rows: list[list[str]], definition: Mapping[str, object] = ATZM, **kw: object
) -> DialingWindows:
    d = ContactList.model_validate(definition)
    path = tmp_path / "c.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(d.column_names)
        w.writerows(rows)
    kw.setdefault("at", NOON_ET)
    with open_csv(path) as src:
        return compute_windows(src, d, map_header(src.header, d.column_names).columns, **kw)  # type: ignore[arg-type]


# (ZIP, phone 1, phone 2) -> (source, reason, start, end, zone): every row of the published table.
TABLE = [
    pytest.param(
        BAD_ZIP,
        NO_MAP,
        NO_MAP,
        ("default", "invalid ZIP", "14:00", "20:00", "America/New_York"),
        id="nothing-maps",
    ),
    pytest.param(
        BAD_ZIP,
        EASTERN,
        NO_MAP,
        ("default", "invalid ZIP", "14:00", "20:00", "America/New_York"),
        id="invalid-zip-forces-default",
    ),
    pytest.param(
        "", CENTRAL, EASTERN, ("phones", "", "09:00", "21:00", "America/New_York"), id="central+eastern"
    ),
    pytest.param(
        MOUNTAIN_ZIP,
        CENTRAL,
        EASTERN,
        ("phones+zip", "", "10:00", "21:00", "America/New_York"),
        id="mountain-zip",
    ),
    pytest.param(
        "", NO_MAP, CENTRAL, ("phones", "", "08:00", "21:00", "America/Chicago"), id="one-central-phone"
    ),
    pytest.param(
        CENTRAL_ZIP,
        NO_MAP,
        CENTRAL,
        ("phones+zip", "", "08:00", "21:00", "America/Chicago"),
        id="central-zip-and-phone",
    ),
    pytest.param(
        CENTRAL_ZIP,
        NO_MAP,
        NO_MAP,
        ("default", "no phone maps", "14:00", "20:00", "America/New_York"),
        id="zip-alone",
    ),
]


def _hm(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


@pytest.mark.parametrize(("zipcode", "phone1", "phone2", "expected"), TABLE)
def test_the_platforms_table(
    tmp_path: Path, zipcode: str, phone1: str, phone2: str, expected: tuple[str, ...]
) -> None:
    w = _windows(tmp_path, [["1", phone1, phone2, zipcode]]).window(0)
    assert (w.source, w.reason, _hm(w.start), _hm(w.end), w.zone) == expected


def test_central_and_eastern_is_eight_to_eight_central() -> None:
    """The table's "09:00-21:00 Eastern = 08:00-20:00 Central": the same instants."""
    from console.contacts.dialing import window_for

    w = window_for(["America/Chicago", "America/New_York"], NOON_ET, DialingSettings())
    assert (_hm(w.start), _hm(w.end), w.zone) == ("09:00", "21:00", "America/New_York")
    assert w.minutes == 12 * 60


def test_newfoundland_half_hour(tmp_path: Path) -> None:
    """709 spans Halifax (UTC-4) and St John's (UTC-3:30): the intersection starts on the half hour."""
    assert phone_zones("+1 709 234 5678") == ("America/Halifax", "America/St_Johns")
    w = _windows(tmp_path, [["1", "+1 709 234 5678", "", ""]]).window(0)
    assert (w.source, _hm(w.start), _hm(w.end), w.zone) == ("phones", "08:30", "21:00", "America/St_Johns")
    alone = _windows(tmp_path, [["1", "", "", ""]], at=NOON_ET)  # for contrast: nothing maps
    assert alone.window(0).reason == "no phone maps"


@pytest.mark.parametrize(
    "value",
    ["+44 20 7946 0018", "+3312345678", "+1 876 234 5678", "+1 999 234 5678", "555-1234", "", "1.23E+09"],
)
def test_numbers_that_could_not_map(value: str) -> None:
    """Outside NANP, another NANP country (Jamaica), an unassigned area code, too short, blank."""
    assert phone_zones(value) == ()


def test_national_numbers_need_a_nanp_default_region() -> None:
    assert phone_zones("3122345678", "US") == ("America/Chicago",)
    assert phone_zones("3122345678", "GB") == ()
    assert phone_zones("+13122345678", "GB") == ("America/Chicago",)


def test_zip_zone() -> None:
    assert zip_zone("80202") == "America/Denver"
    assert zip_zone("80202-1234") == "America/Denver"
    assert zip_zone("  ") == ""
    assert zip_zone("00000") is None
    assert zip_zone("8020") is None


def test_daylight_saving_and_callable_at(tmp_path: Path) -> None:
    """Windows follow each zone's offset at the instant; callable stops at the end (exclusive)."""
    summer_end = datetime(2026, 7, 15, 1, 0, tzinfo=UTC)  # 21:00 EDT = 20:00 CDT
    dw = _windows(tmp_path, [["1", CENTRAL, "", ""], ["2", CENTRAL, EASTERN, ""]], at=summer_end)
    assert dw.window(0).callable is True  # 20:00 in Chicago
    assert dw.window(1).callable is False  # 21:00 in New York: past the last minute
    s = dw.summary()
    assert (s["mapped"], s["default"], s["callable"]) == (2, 0, 1)
    assert s["zones"] == {"America/Chicago": 2, "America/New_York": 1}


def test_settings_from_the_wire_change_both_windows(tmp_path: Path) -> None:
    body = {
        "automaticTimeZoneMapping": {
            "callableWindows": [
                {
                    "mapped": {"earliestCallableTime": "09:00", "latestCallableTime": "20:00"},
                    "unmapped": {
                        "earliestCallableTime": "10:00",
                        "latestCallableTime": "12:00",
                        "timeZoneId": "America/Chicago",
                    },
                }
            ],
            "supportedCountries": ["US"],
        }
    }
    settings = DialingSettings.from_wire(body)
    dw = _windows(tmp_path, [["1", CENTRAL, "", ""], ["2", NO_MAP, "", ""]], settings=settings)
    assert (_hm(dw.window(0).start), _hm(dw.window(0).end)) == ("09:00", "20:00")
    d = dw.window(1)
    assert (d.source, _hm(d.start), _hm(d.end), d.zone, d.callable) == (
        "default",
        "10:00",
        "12:00",
        "America/Chicago",
        True,
    )
    assert DialingSettings.from_wire({}) == DialingSettings()


def test_a_phone_the_validation_rejects_does_not_map(tmp_path: Path) -> None:
    from console.contacts.validate import validate

    d = ContactList.model_validate(ATZM)
    path = tmp_path / "c.csv"
    path.write_text(
        "ContactId,Phone1,Phone2,Zip\n1,+1 983 617 5743,,\n2,(212) 234-5678,,\n", encoding="utf-8"
    )
    with open_csv(path) as src:
        result = validate(src, d)
        assert result.codes_for_row(0)  # libphonenumber rejects it, though its time-zone data has the prefix
        cols = map_header(src.header, d.column_names).columns
        alone = compute_windows(src, d, cols, at=NOON_ET)
        dw = compute_windows(src, d, cols, at=NOON_ET, result=result)
    assert alone.window(0).zones == ("America/Denver",)  # the prefix table alone would map it
    assert dw.window(0).reason == "no phone maps"
    assert dw.window(1).source == "phones"


CALLABLE_TIME = {
    "name": "t",
    "columnNames": ["ContactId", "Phone1", "Tz"],
    "phoneColumns": [{"columnName": "Phone1", "type": "cell", "callableTimeColumn": "Tz"}],
}


def test_callable_time_column_without_automatic_mapping(tmp_path: Path) -> None:
    dw = _windows(
        tmp_path,
        [["1", EASTERN, "America/Denver"], ["2", EASTERN, "Mars/Olympus"], ["3", EASTERN, ""]],
        definition=CALLABLE_TIME,
    )
    w = dw.window(0)
    assert (w.source, w.zones, _hm(w.start), _hm(w.end), w.zone) == (
        "zone column",
        ("America/Denver",),
        "08:00",
        "21:00",
        "America/Denver",
    )
    assert (dw.window(1).source, dw.window(1).reason) == ("default", "invalid time zone")
    assert dw.window(2).reason == "no time zone"
    assert dw.finding_count == 1
    f = dw.findings[0]
    assert (f.code, f.row, f.column, f.original) == ("timezone.invalid", 1, "Tz", "Mars/Olympus")


def test_a_list_without_windows_is_refused(tmp_path: Path) -> None:
    plain = {
        "name": "t",
        "columnNames": ["ContactId", "Phone1"],
        "phoneColumns": [{"columnName": "Phone1", "type": "cell"}],
    }
    with pytest.raises(ValueError, match="no automatic time-zone mapping"):
        _windows(tmp_path, [["1", EASTERN]], definition=plain)


def test_many_rows_share_few_windows(tmp_path: Path) -> None:
    rows = [
        [
            str(i),
            f"(312) {200 + i % 700:03d}-{i % 10000:04d}",
            EASTERN if i % 2 else "",
            "" if i % 3 else MOUNTAIN_ZIP,
        ]
        for i in range(3000)
    ]
    rows.append(["x", "1", "2"])  # ragged: its missing cells are blank
    dw = _windows(tmp_path, rows)
    assert len(dw.row_window) == 3001
    assert len(dw.windows) <= 5
    assert dw.window(3000).reason == "no phone maps"


# -- the CLI ----------------------------------------------------------------------------------------


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-m", "console", "validate", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_writes_the_windows_and_the_summary(tmp_path: Path) -> None:
    (tmp_path / "l.json").write_text(json.dumps(ATZM), encoding="utf-8")
    (tmp_path / "c.csv").write_text(
        "ContactId,Phone1,Phone2,Zip\n"
        f'1,"{CENTRAL}","{EASTERN}",{MOUNTAIN_ZIP}\n'
        f"2,{NO_MAP},{NO_MAP},{BAD_ZIP}\n"
        f'3,"{CENTRAL}",,\n',
        encoding="utf-8",
    )
    proc = _cli(
        tmp_path,
        "c.csv",
        "--definition",
        "l.json",
        "--dialing-windows",
        "out.csv",
        "--at",
        "2026-01-15T12:00-05:00",
    )
    assert proc.returncode in (0, 1), proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert last.startswith("rows=3 ")
    assert last.endswith("dialing: 2 mapped, 1 default window, 2 callable at 2026-01-15T17:00:00+00:00")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    assert tuple(lines[0]) == CSV_COLUMNS
    assert lines[1] == [
        "0",
        "2",
        "America/Chicago America/Denver America/New_York",
        "phones+zip",
        "",
        "10:00",
        "21:00",
        "America/New_York",
        "yes",
    ]
    assert lines[2] == ["1", "3", "", "default", "invalid ZIP", "14:00", "20:00", "America/New_York", "no"]
    assert lines[3] == ["2", "4", "America/Chicago", "phones", "", "08:00", "21:00", "America/Chicago", "yes"]

    proc = _cli(tmp_path, "c.csv", "--definition", "l.json", "--at", "2026-01-15T20:30:00+00:00", "--json")
    body = json.loads(proc.stdout.strip().splitlines()[-2])
    assert body["dialing"] == {
        "zones": {"America/Chicago": 2, "America/New_York": 1, "America/Denver": 1},
        "mapped": 2,
        "default": 1,
        "callable": 3,
        "at": "2026-01-15T20:30:00+00:00",
    }


def test_cli_refuses_a_bad_at(tmp_path: Path) -> None:
    (tmp_path / "l.json").write_text(json.dumps(ATZM), encoding="utf-8")
    (tmp_path / "c.csv").write_text("ContactId,Phone1,Phone2,Zip\n1,,,\n", encoding="utf-8")
    proc = _cli(tmp_path, "c.csv", "--definition", "l.json", "--at", "noon")
    assert proc.returncode == 2
    assert "--at 'noon' is not an ISO date-time" in proc.stderr


def test_cli_without_the_option_keeps_its_summary(tmp_path: Path) -> None:
    (tmp_path / "l.json").write_text(json.dumps(ATZM), encoding="utf-8")
    (tmp_path / "c.csv").write_text("ContactId,Phone1,Phone2,Zip\n1,,,\n", encoding="utf-8")
    proc = _cli(tmp_path, "c.csv", "--definition", "l.json")
    assert "dialing:" not in proc.stdout


def test_prefix_lookup_agrees_with_libphonenumber() -> None:
    """The engine's own longest-prefix lookup equals phonenumbers' for every assigned NANP prefix sampled."""
    from phonenumbers.phonenumber import PhoneNumber
    from phonenumbers.timezone import time_zones_for_geographical_number

    from console.contacts.dialing import _prefix_zones

    every = frozenset({"US", "CA", *__import__("phonenumbers").COUNTRY_CODE_TO_REGION_CODE[1]})
    wide = time_zones_for_geographical_number(PhoneNumber(country_code=1, national_number=0))
    checked = 0
    for area in range(200, 1000, 7):
        for exchange in (200, 345, 617, 999):
            prefix = f"{area}{exchange}"
            theirs = time_zones_for_geographical_number(
                PhoneNumber(country_code=1, national_number=int(prefix) * 10_000 + 4567)
            )
            expected = () if theirs == wide else tuple(sorted(theirs))
            assert _prefix_zones(prefix, every) == expected, prefix
            checked += bool(expected)
    assert checked > 100


def test_two_worker_processes_agree_with_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Large files go to a pool (tiny batches here); quoted newlines and an unclosed quote included."""
    import console.contacts.dialing as dialing

    rows = [
        [
            str(i),
            f"(312) {200 + i % 700:03d}-{i % 10000:04d}",
            EASTERN if i % 2 else "note\nline 2",
            MOUNTAIN_ZIP if i % 3 else "x",
        ]
        for i in range(400)
    ]
    one = _windows(tmp_path, rows)
    monkeypatch.setattr(dialing, "_POOL_BYTES", 0)
    monkeypatch.setattr(dialing, "_BATCH", 64)
    two = _windows(tmp_path, rows)
    assert [two.window(i) for i in range(400)] == [one.window(i) for i in range(400)]
    (tmp_path / "bad.csv").write_text('ContactId,Phone1,Phone2,Zip\n1,"(312) 234-5678,,\n', encoding="utf-8")
    d = ContactList.model_validate(ATZM)
    with open_csv(tmp_path / "bad.csv") as src:
        dw = compute_windows(src, d, map_header(src.header, d.column_names).columns, at=NOON_ET)
    assert len(dw.row_window) == src.row_count


def test_values_keyed_by_their_prefix_map_as_the_general_key_does(tmp_path: Path) -> None:
    """Phones ending in four digits are keyed by what precedes them, per area code: same zones."""
    values = [
        "(208) 234-5678",  # 208: Boise and Los Angeles by exchange
        "208-884-1234",
        "+1 709 234 5678",  # Newfoundland and Halifax
        "12122345678",
        "1-212-234-5678",
        "+12122345678",
        "+44 20 7946 0958",
        "+49 30 12345678",
        "2121234567",  # exchange starting with 1
        "(212) 234-56 78",  # formatting inside the last four
        "(212) 234-5678 ",
        "212.234.567٨",  # an Arabic-Indic digit last
        "",
        "5678",
        "+1 876 234 5678",  # Jamaica
    ]
    rows = [[str(i), v, values[(i + 3) % len(values)], ""] for i, v in enumerate(values)]
    dw = _windows(tmp_path, rows)
    for i, (_, p1, p2, _) in enumerate(rows):
        zones = set(phone_zones(p1)) | set(phone_zones(p2))
        assert set(dw.window(i).zones) == zones, (p1, p2)


GUAM_ZIP = "96910"  # a US ZIP in Pacific/Guam (UTC+10): no hour in common with Eastern


def test_short_windows_labels_and_callable_at(tmp_path: Path) -> None:
    from console.contacts.dialing import SHORT_RULE, window_label

    rows = [
        ["1", EASTERN, "", GUAM_ZIP],  # empty: no common hour
        ["2", CENTRAL, EASTERN, ""],
        ["3", NO_MAP, NO_MAP, BAD_ZIP],
    ]
    dw = _windows(tmp_path, rows)
    assert window_label(dw.window(0)) == "no common hour (Eastern, Pacific/Guam)"
    assert window_label(dw.window(1)) == "09:00\u201321:00 Eastern"
    assert window_label(dw.window(2)) == "default 14:00\u201320:00 ET"
    assert list(dw.short_rows()) == [0]
    assert dw.is_short(0)
    assert not dw.is_short(1)
    finding = dw.short_finding(0, 2)
    assert finding.code == SHORT_RULE
    assert "Eastern and Pacific/Guam" in finding.message
    # 12:00 Eastern: row 2 (the default window opens at 14:00); 15:00: rows 2 and 3; 21:00: none
    assert dw.callable_count(NOON_ET) == 1
    assert dw.callable_count(datetime(2026, 1, 15, 20, 0, tzinfo=UTC)) == 2
    assert dw.callable_count(datetime(2026, 1, 15, 2, 0, tzinfo=UTC)) == 0
    assert dw.callable_count(datetime(2026, 1, 15, 14, 30, tzinfo=UTC)) == 1  # 09:30 ET: row 2 only


def test_a_mapped_slot_shorter_than_two_hours_is_a_finding(tmp_path: Path) -> None:
    settings = DialingSettings(mapped_start=9 * 60, mapped_end=11 * 60)
    dw = _windows(tmp_path, [["1", CENTRAL, EASTERN, ""], ["2", EASTERN, "", ""]], settings=settings)
    assert dw.window(0).minutes == 60  # 10:00-11:00 Eastern
    assert list(dw.short_rows()) == [0]


def test_cli_lists_the_short_window_finding(tmp_path: Path) -> None:
    (tmp_path / "l.json").write_text(json.dumps(ATZM), encoding="utf-8")
    (tmp_path / "c.csv").write_text(
        f'ContactId,Phone1,Phone2,Zip\n1,"{EASTERN}",,{GUAM_ZIP}\n2,"{EASTERN}",,\n', encoding="utf-8"
    )
    proc = _cli(tmp_path, "c.csv", "--definition", "l.json", "--dialing-windows", "out.csv")
    assert proc.returncode == 1, proc.stderr
    assert "          1  dialing.window_short" in proc.stdout
    assert "warning: Row 1 (line 2) can be dialled no hour at all" in proc.stdout
    proc = _cli(tmp_path, "c.csv", "--definition", "l.json", "--at", "2026-01-15T12:00-05:00", "--json")
    body = json.loads(proc.stdout.strip().splitlines()[-2])
    assert body["counts_by_rule"] == {"dialing.window_short": 1}


@pytest.mark.parametrize(
    ("definition", "scan", "processes"),
    [
        pytest.param(ATZM, True, 1, id="automatic-scan"),
        pytest.param(ATZM, False, 1, id="automatic-csv"),
        pytest.param(ATZM, True, 2, id="automatic-pool"),
        pytest.param(CALLABLE_TIME, True, 1, id="callable-time-scan"),
        pytest.param(CALLABLE_TIME, True, 2, id="callable-time-pool"),
    ],
)
def test_the_check_keys_the_same_windows_as_a_second_pass(
    tmp_path: Path, definition: Mapping[str, object], scan: bool, processes: int
) -> None:
    """``ValidationOptions.dialing`` keys the windows in the check's own workers, from the cells they
    read (clean records from the scan's captures, the others from ``csv``): every row's window is the
    one the separate pass (:func:`compute_windows` with the validation's findings) gives."""
    from console.contacts.validate import ValidationOptions, validate

    d = ContactList.model_validate(definition)
    phones = [EASTERN, CENTRAL, NO_MAP, "+1 983 617 5743", "", " (212) 234-5678 ", "+44 20 7946 0018"]
    zips = [MOUNTAIN_ZIP, CENTRAL_ZIP, BAD_ZIP, "", " 60601", "x", "80202-1234"]
    zones = ["America/Chicago", "", "Mars/Base", " America/Denver"]
    path = tmp_path / "c.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(d.column_names)
        for i in range(700):
            if i % 97 == 5:
                fh.write("\n")  # a blank line
                continue
            if i % 89 == 7:
                fh.write(f"{i},{phones[i % 7]}\n")  # a ragged row
                continue
            p1 = phones[i % 7] if i % 11 else "note\nline 2"
            if definition is ATZM:
                w.writerow([i, p1, phones[(i // 7) % 7], zips[(i // 3) % 7]])
            else:
                w.writerow([i, p1, zones[i % 4]])
    opts = ValidationOptions(processes=processes, batch_rows=64, scan=scan, dialing=True, dialing_at=NOON_ET)
    with open_csv(path) as src:
        result = validate(src, d, options=opts)
        assert result.dialing is not None
        cols = map_header(src.header, d.column_names).columns
        apart = compute_windows(src, d, cols, at=NOON_ET, result=result)
    n = result.row_count
    assert len(result.dialing.row_window) == len(apart.row_window) == n
    assert [result.dialing.window(i) for i in range(n)] == [apart.window(i) for i in range(n)]
    assert result.dialing.finding_count == apart.finding_count
    assert [f.message for f in result.dialing.findings] == [f.message for f in apart.findings]
    assert len({w.source for w in result.dialing.windows}) > 1  # the file maps several ways
