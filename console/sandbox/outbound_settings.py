"""Org-wide outbound settings (genesys-api.md §6.5): ``GET /api/v2/outbound/settings``.

The sandbox answers the platform's defaults under the SDK's JSON names (``outbound_settings.py``,
``automatic_time_zone_mapping_settings.py``, ``callable_window.py``, ``atzm_time_slot*.py``):
automatic time-zone mapping dials 08:00-21:00 local in every mapped zone, and falls back to the
org default window 14:00-20:00 ``America/New_York`` for contacts that cannot be mapped. The real
route needs ``outbound:settings:view``; the sandbox's permission table has no such entry yet, so
any valid token may read it.
"""

from __future__ import annotations

import copy
from typing import Any

from console.sandbox.store import ORG_ID
from console.sandbox.wire import Request, Response, Route

#: The platform's defaults (help.mypurecloud.com, automatic time-zone mapping examples).
DEFAULT_SETTINGS: dict[str, Any] = {
    "id": ORG_ID,
    "name": "Outbound settings",
    "version": 1,
    "maxCallsPerAgent": 1,
    "maxLineUtilization": 1.0,
    "abandonSeconds": 2,
    "complianceAbandonRateDenominator": "ALL_CALLS",
    "automaticTimeZoneMapping": {
        "callableWindows": [
            {
                "mapped": {"earliestCallableTime": "08:00", "latestCallableTime": "21:00"},
                "unmapped": {
                    "earliestCallableTime": "14:00",
                    "latestCallableTime": "20:00",
                    "timeZoneId": "America/New_York",
                },
            }
        ],
        "supportedCountries": ["US", "CA"],
    },
    "rescheduleTimeZoneSkippedContacts": False,
    "contactListDefaultRetentionType": "Never",
    "selfUri": "/api/v2/outbound/settings",
}


def get_settings(req: Request) -> Response:
    """``GET /api/v2/outbound/settings``: the platform's defaults."""
    return Response(200, copy.deepcopy(DEFAULT_SETTINGS))


ROUTES = [Route("GET", "/api/v2/outbound/settings", get_settings)]
