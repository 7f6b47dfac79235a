"""The ``date_skew_seconds`` switch moves the ``Date`` header only."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import httpx
import pytest

from console.sandbox import Sandbox


def _date(http: httpx.Client) -> float:
    return parsedate_to_datetime(http.get("/api/v2/organizations/me").headers["Date"]).timestamp()


@pytest.mark.parametrize("skew", [-600, 3600])
def test_the_date_header_is_skewed(sb: Sandbox, http: httpx.Client, skew: int) -> None:
    sb.control({"switches": {"date_skew_seconds": str(skew)}})
    assert abs(_date(http) - (time.time() + skew)) < 5
    sb.control({"switches": {"date_skew_seconds": "0"}})
    assert abs(_date(http) - time.time()) < 5


@pytest.mark.parametrize("value", ["soon", "nan", "99999999"])
def test_bad_skews_are_refused(sb: Sandbox, value: str) -> None:
    with pytest.raises(ValueError, match="date_skew_seconds"):
        sb.control({"switches": {"date_skew_seconds": value}})
