"""Genesys Cloud regions and the hosts derived from them (genesys-api.md §1.1).

The API base is ``https://api.{domain}``; the login host replaces ``api.`` with ``login.``
and the legacy upload host replaces it with ``apps.``. A custom base URL (the sandbox, an
API gateway) serves all three from the same origin.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit


class Region(StrEnum):
    """Every region of the SDK's ``PureCloudRegionHosts``; the value is the region's domain."""

    US_EAST_1 = "mypurecloud.com"
    EU_WEST_1 = "mypurecloud.ie"
    AP_SOUTHEAST_2 = "mypurecloud.com.au"
    AP_NORTHEAST_1 = "mypurecloud.jp"
    EU_CENTRAL_1 = "mypurecloud.de"
    US_WEST_2 = "usw2.pure.cloud"
    CA_CENTRAL_1 = "cac1.pure.cloud"
    AP_NORTHEAST_2 = "apne2.pure.cloud"
    EU_WEST_2 = "euw2.pure.cloud"
    AP_SOUTH_1 = "aps1.pure.cloud"
    US_EAST_2 = "use2.us-gov-pure.cloud"
    SA_EAST_1 = "sae1.pure.cloud"
    ME_CENTRAL_1 = "mec1.pure.cloud"
    AP_NORTHEAST_3 = "apne3.pure.cloud"
    EU_CENTRAL_2 = "euc2.pure.cloud"
    MX_CENTRAL_1 = "mxc1.pure.cloud"
    AP_SOUTHEAST_1 = "apse1.pure.cloud"
    EUSC_DE_EAST_1 = "edee1.eusc-pure.cloud"

    @property
    def domain(self) -> str:
        """The region's domain, e.g. ``mypurecloud.ie``."""
        return self.value

    @property
    def sdk_name(self) -> str:
        """The SDK enum name, e.g. ``eu_west_1``."""
        return self.name.lower()

    @property
    def api_base(self) -> str:
        """``https://api.{domain}``."""
        return f"https://api.{self.value}"

    @property
    def login_base(self) -> str:
        """``https://login.{domain}`` (OAuth)."""
        return f"https://login.{self.value}"

    @property
    def apps_base(self) -> str:
        """``https://apps.{domain}`` (legacy multipart contact-list uploads)."""
        return f"https://apps.{self.value}"

    @classmethod
    def parse(cls, text: str) -> Region:
        """Find a region by SDK name (``eu_west_1``, ``eu-west-1``), domain or any of its hosts/URLs.

        Raises:
            ValueError: when nothing matches.
        """
        key = text.strip().lower()
        by_name = key.replace("-", "_").upper()
        if by_name in cls.__members__:
            return cls[by_name]
        host = urlsplit(key).hostname if "//" in key else key
        host = (host or "").rstrip("/")
        for prefix in ("api.", "login.", "apps."):
            if host.startswith(prefix):
                host = host[len(prefix) :]
                break
        for region in cls:
            if region.value == host:
                return region
        raise ValueError(f"unknown Genesys Cloud region: {text!r}")


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this computer (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Endpoint:
    """Where the client talks to: the API, login and apps bases (no trailing slash).

    Build it with :meth:`for_region` or :meth:`custom`.
    """

    api_base: str
    """API origin, e.g. ``https://api.mypurecloud.ie``."""
    login_base: str
    """OAuth origin, e.g. ``https://login.mypurecloud.ie``."""
    apps_base: str
    """Legacy upload origin, e.g. ``https://apps.mypurecloud.ie``."""
    region: Region | None = None
    """The region, or None for a custom base URL."""

    @classmethod
    def for_region(cls, region: Region | str) -> Endpoint:
        """The endpoint of a Genesys Cloud region."""
        reg = region if isinstance(region, Region) else Region.parse(region)
        return cls(reg.api_base, reg.login_base, reg.apps_base, reg)

    @classmethod
    def custom(cls, base_url: str) -> Endpoint:
        """A custom base URL (sandbox, gateway): API, login and apps hosts are all this base."""
        parts = urlsplit(base_url.strip())
        if "@" in parts.netloc:
            # never echo it: the part before @ is a user name and password
            raise ValueError(
                "the base URL must not contain a user name or password (user:password@): "
                "the client id and secret are entered separately"
            )
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) base URL: {base_url!r}")
        if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
            raise ValueError(
                f"plain http:// is only allowed to this computer (127.0.0.1, localhost); "
                f"use https://{parts.netloc} so the client secret is not sent unencrypted"
            )
        base = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        return cls(base, base, base, None)

    @property
    def login_host(self) -> str:
        """Host name of the login base, for messages (``login.mypurecloud.ie``)."""
        return urlsplit(self.login_base).netloc

    @property
    def token_url(self) -> str:
        """``{login}/oauth/token``."""
        return f"{self.login_base}/oauth/token"

    @property
    def authorize_url(self) -> str:
        """``{login}/oauth/authorize``."""
        return f"{self.login_base}/oauth/authorize"

    @property
    def label(self) -> str:
        """Short human label: the SDK region name or the custom base."""
        return self.region.sdk_name if self.region else self.api_base
