"""``GET /api/v2/outbound/settings``: the platform's default windows, read back by the dialing engine."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from console.contacts.dialing import DialingSettings
from console.sandbox import Sandbox


def _sdk_client(sb: Sandbox) -> Any:
    import PureCloudPlatformClientV2 as sdk  # noqa: N813

    return sdk.ApiClient(host=sb.url).get_client_credentials_token("sandbox-client", "sandbox-secret")


def test_outbound_settings_default(api: httpx.Client) -> None:
    resp = api.get("/api/v2/outbound/settings")
    assert resp.status_code == 200
    body = resp.json()
    window = body["automaticTimeZoneMapping"]["callableWindows"][0]
    assert window["mapped"] == {"earliestCallableTime": "08:00", "latestCallableTime": "21:00"}
    assert window["unmapped"] == {
        "earliestCallableTime": "14:00",
        "latestCallableTime": "20:00",
        "timeZoneId": "America/New_York",
    }
    assert body["automaticTimeZoneMapping"]["supportedCountries"] == ["US", "CA"]
    assert body["selfUri"] == "/api/v2/outbound/settings"
    assert DialingSettings.from_wire(body) == DialingSettings()


def test_outbound_settings_needs_a_token(http: httpx.Client) -> None:
    assert http.get("/api/v2/outbound/settings").status_code == 401


def test_the_sdk_reads_the_settings(sb: Sandbox) -> None:
    """The official SDK deserializes the body: the JSON names are the SDK's."""
    sdk = pytest.importorskip("PureCloudPlatformClientV2")
    client = _sdk_client(sb)
    settings = sdk.OutboundApi(client).get_outbound_settings()
    window = settings.automatic_time_zone_mapping.callable_windows[0]
    assert (window.mapped.earliest_callable_time, window.mapped.latest_callable_time) == ("08:00", "21:00")
    assert window.unmapped.time_zone_id == "America/New_York"
    assert settings.automatic_time_zone_mapping.supported_countries == ["US", "CA"]
