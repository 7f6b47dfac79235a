"""Outbound Console: a desktop operator console for Genesys Cloud CX outbound dialing."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("outbound-console")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

APP_NAME = "Outbound Console"
"""Human-readable application name (window titles, keyring service name)."""

APP_ID = "outbound-console"
"""Machine name: settings and data directories, keyring service."""
