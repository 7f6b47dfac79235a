"""The call page's number rules (pure: formatting as typed, the local check, local time)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.ui.call.phone import check_number, format_as_you_type, local_time_at


@pytest.mark.parametrize(
    ("typed", "region", "shown"),
    [
        ("3175550123", "US", "(317) 555-0123"),
        ("+442079460000", "US", "+44 20 7946 0000"),
        ("020 7946 0000", "GB", "020 7946 0000"),
        ("+1 (317) 555-01", "US", "+1 317-555-01"),
    ],
)
def test_as_you_type_formatting(typed: str, region: str, shown: str) -> None:
    assert format_as_you_type(typed, len(typed), region)[0] == shown


def test_cursor_stays_after_the_same_digit() -> None:
    # typing a 4 between "31" and "7": the cursor must land after the new 4, not at the end
    text, cursor = format_as_you_type("(314 7", 4, "US")
    assert text == "314-7"
    assert text[:cursor] == "314"


@pytest.mark.parametrize(
    ("typed", "region", "ok", "words"),
    [
        ("+44 20 7946 0000", "US", True, ("Valid", "London", "Europe/London", "+442079460000")),
        ("(317) 555-0123", "US", True, ("Valid", "Indiana", "America/New_York")),
        ("+61 412 345 678", "US", True, ("mobile", "Australia")),
        ("555", "US", False, ("too short",)),
        ("+999 1234567", "US", False, ("country code",)),
        ("call me", "US", False, ("letters",)),
        ("+1 200 555 0123", "US", False, ("not a valid number",)),
        ("", "US", False, ("enter the number",)),
    ],
)
def test_number_check(typed: str, region: str, ok: bool, words: tuple[str, ...]) -> None:
    check = check_number(typed, region, datetime(2025, 1, 15, 12, 0, tzinfo=UTC))
    assert check.ok is ok
    text = check.summary() + (check.e164 or "")
    for word in words:
        assert word.lower() in text.lower(), text


def test_local_time_at_destination() -> None:
    noon = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    assert local_time_at(("Europe/London",), noon) == "12:00 (Europe/London)"
    assert local_time_at(("America/New_York",), noon) == "07:00 (America/New_York)"
    assert local_time_at(("America/New_York", "America/Chicago"), noon) == "06:00 to 07:00 (2 time zones)"
