"""Transport defaults shared by every httpx client of the api layer.

TLS is verified against the OS trust store (``truststore``: corporate proxies install their
CA there), proxies come from the environment (``HTTPS_PROXY``/``NO_PROXY``, httpx
``trust_env``), and time-outs are explicit and short.
"""

from __future__ import annotations

import ssl
from functools import lru_cache
from typing import Any

import httpx
import truststore

from console import __version__

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
"""Connect 5 s; read, write and pool 30 s."""

USER_AGENT = f"outbound-console/{__version__}"
"""``User-Agent`` of every request."""


@lru_cache(maxsize=1)
def ssl_context() -> ssl.SSLContext:
    """An SSL context that verifies against the operating system's trust store (built once)."""
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def new_http_client(**kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` with the console's TLS, proxy, time-out and User-Agent defaults.

    Keyword arguments override the defaults (e.g. ``transport=`` in tests).
    """
    headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    headers.update(kwargs.pop("headers", {}) or {})
    options: dict[str, Any] = {"verify": ssl_context(), "trust_env": True, "timeout": DEFAULT_TIMEOUT}
    options.update(kwargs)
    return httpx.Client(headers=headers, **options)
