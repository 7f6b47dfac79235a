"""Phone number entry for the test call: as-you-type formatting and a plain-words check.

Pure Python (phonenumbers + zoneinfo), so the rules are tested without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult, geocoder, timezone

_TYPE_WORDS = {
    PhoneNumberType.FIXED_LINE: "landline",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "landline or mobile",
    PhoneNumberType.TOLL_FREE: "toll-free",
    PhoneNumberType.PREMIUM_RATE: "premium rate",
    PhoneNumberType.SHARED_COST: "shared cost",
    PhoneNumberType.VOIP: "VoIP",
    PhoneNumberType.PERSONAL_NUMBER: "personal number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "company number (UAN)",
    PhoneNumberType.VOICEMAIL: "voicemail",
}
_LENGTH_WORDS = {
    ValidationResult.TOO_SHORT: "it is too short",
    ValidationResult.TOO_LONG: "it is too long",
    ValidationResult.INVALID_LENGTH: "it has the wrong number of digits",
    ValidationResult.INVALID_COUNTRY_CODE: "the country code is unknown",
}
_PARSE_WORDS = {
    NumberParseException.INVALID_COUNTRY_CODE: "the country code is unknown; start with +country code",
    NumberParseException.NOT_A_NUMBER: "it is not a phone number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "it is too short after the international prefix",
    NumberParseException.TOO_SHORT_NSN: "it is too short",
    NumberParseException.TOO_LONG: "it is too long",
}


def _significant(text: str) -> str:
    """Digits, and a leading ``+``."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return ("+" + digits) if text.lstrip().startswith("+") else digits


def _may_be_trunk_prefix(significant: str, region: str) -> bool:
    """Digits that start with the region's national prefix but are too short to be a number with it.

    The formatter takes such a lead digit as the trunk prefix at once: "12345" in the US became
    "1 (234) 5", an extension or a short code typed digit by digit. Left as typed until it could be
    a number ("12065551234" is then "1 (206) 555-1234").
    """
    if significant.startswith("+"):
        return False
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    prefix = metadata.national_prefix if metadata is not None else None
    if not prefix or not significant.startswith(prefix):
        return False
    try:
        number = phonenumbers.parse(significant, region)
    except phonenumbers.NumberParseException:
        return True
    return not phonenumbers.is_possible_number(number)


def format_as_you_type(text: str, cursor: int, region: str) -> tuple[str, int]:
    """Reformat ``text`` with libphonenumber's AsYouTypeFormatter; keep the cursor after the same digit.

    Args:
        text: What the field holds after the keystroke.
        cursor: Cursor position in ``text``.
        region: Default region (ISO code) for numbers without ``+``.

    Returns:
        The formatted text and the new cursor position.
    """
    if any(ch.isalpha() for ch in text):
        return text, cursor  # letters: leave it alone, the check says why it cannot be dialled
    significant = _significant(text)
    if _may_be_trunk_prefix(significant, region or "US"):
        return text, cursor
    before = len(_significant(text[:cursor])) if cursor < len(text) else len(significant)
    formatter = phonenumbers.AsYouTypeFormatter(region or "US")
    out = ""
    for ch in significant:
        out = formatter.input_digit(ch)
    if not significant:
        return "", 0
    seen = 0
    position = len(out)
    for i, ch in enumerate(out):
        if seen == before:
            position = i
            break
        if ch.isdigit() or ch == "+":
            seen += 1
    return out, position


@dataclass(frozen=True)
class PhoneCheck:
    """The verdict on a number.

    Attributes:
        e164: The E.164 form when the number can be dialled, else None.
        reason: Why it cannot be dialled (empty when it can).
        number_type: Plain words ("mobile", "landline or mobile").
        country: Country or area ("United Kingdom", "Indiana").
        region: ISO region of the number ("GB").
        time_zones: IANA zones of the destination.
        local_time: Local time at the destination ("14:05 Europe/London"), when known.
    """

    e164: str | None
    reason: str = ""
    number_type: str = ""
    country: str = ""
    region: str = ""
    time_zones: tuple[str, ...] = ()
    local_time: str = ""

    @property
    def ok(self) -> bool:
        """Whether the number can be dialled."""
        return self.e164 is not None

    def summary(self) -> str:
        """One line for the page ("Valid mobile · United Kingdom · 14:05 there")."""
        if not self.ok:
            return f"Cannot dial: {self.reason}"
        parts = [f"Valid {self.number_type}".rstrip(), self.country]
        if self.local_time:
            parts.append(f"local time {self.local_time}")
        return " · ".join(p for p in parts if p)


def local_time_at(zones: tuple[str, ...], now: datetime) -> str:
    """Local time in ``zones`` at ``now`` (aware): "14:05 Europe/London" or a range over several zones."""
    times: list[tuple[str, str]] = []
    for name in zones:
        try:
            times.append((now.astimezone(ZoneInfo(name)).strftime("%H:%M"), name))
        except (ZoneInfoNotFoundError, ValueError):
            continue
    if not times:
        return ""
    if len(times) == 1:
        return f"{times[0][0]} ({times[0][1]})"
    distinct = sorted({t for t, _ in times})
    if len(distinct) == 1:
        return f"{distinct[0]} ({len(times)} time zones)"
    return f"{distinct[0]} to {distinct[-1]} ({len(times)} time zones)"


def check_number(text: str, region: str, now: datetime) -> PhoneCheck:
    """Whether ``text`` can be dialled, and what it is.

    Args:
        text: The number as typed.
        region: Default region for numbers without ``+``.
        now: Aware current time (for the destination's local time).
    """
    raw = text.strip()
    if not raw:
        return PhoneCheck(None, "enter the number to call")
    if any(ch.isalpha() for ch in raw):
        return PhoneCheck(None, "it contains letters; type digits only (with + and the country code)")
    try:
        number = phonenumbers.parse(raw, region or None)
    except NumberParseException as exc:
        return PhoneCheck(None, _PARSE_WORDS.get(exc.error_type, str(exc)))
    where = phonenumbers.region_code_for_number(number) or ""
    country = (
        geocoder.description_for_number(number, "en")
        or geocoder.country_name_for_number(number, "en")
        # mobile numbers have no geocoding entry; the region's own name is still right
        or (geocoder._region_display_name(where, "en") if where else "")
    )
    possible = phonenumbers.is_possible_number_with_reason(number)
    if possible not in (ValidationResult.IS_POSSIBLE, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        words = _LENGTH_WORDS.get(possible, "it has the wrong number of digits")
        return PhoneCheck(
            None, f"{words} for {country or where or 'its country'}", country=country, region=where
        )
    if not phonenumbers.is_valid_number(number):
        return PhoneCheck(
            None,
            f"it is not a valid number in {country or where or 'any country'}",
            country=country,
            region=where,
        )
    zones = tuple(z for z in timezone.time_zones_for_number(number) if "/" in z)
    kind = _TYPE_WORDS.get(phonenumbers.number_type(number), "number")
    return PhoneCheck(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        number_type=kind,
        country=country,
        region=where,
        time_zones=zones,
        local_time=local_time_at(zones, now),
    )
