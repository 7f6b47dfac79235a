"""The connection layer (no Qt): from a profile to a working client, for every caller.

- :mod:`console.connect.profiles`: endpoint and credential resolution (:func:`endpoint_for`,
  :func:`resolve_credentials`, :func:`spec_for`).
- :mod:`console.connect.client`: the picklable :class:`ClientSpec` and :func:`build_client`, the one
  function the window, the command line and the upload's child process build clients with.
- :mod:`console.connect.check`: the connection test (:func:`run_connection_test`).
- :mod:`console.connect.signin`: the PKCE sign-in (:func:`sign_in_user`).

It imports the api and credentials layers; the window's session controller
(``console.ui.session``) runs these functions on worker threads.
"""

from console.connect.check import ConnectionReport, PermissionCheck, permission_checks, run_connection_test
from console.connect.client import AuthKind, ClientSpec, build_client
from console.connect.profiles import (
    BUILTIN_SANDBOX_ID,
    BUILTIN_SANDBOX_NAME,
    REGION_NAMES,
    SANDBOX_CLIENT,
    SANDBOX_PKCE_CLIENT,
    builtin_sandbox_profile,
    endpoint_for,
    is_builtin_sandbox,
    is_stale_sandbox,
    region_label,
    resolve_credentials,
    spec_for,
)
from console.connect.signin import (
    DEFAULT_REDIRECT_PORT,
    RedirectPortInUseError,
    SignedInUser,
    SignInExpiredError,
    redirect_uri,
    sign_in_user,
)

__all__ = [
    "BUILTIN_SANDBOX_ID",
    "BUILTIN_SANDBOX_NAME",
    "DEFAULT_REDIRECT_PORT",
    "REGION_NAMES",
    "SANDBOX_CLIENT",
    "SANDBOX_PKCE_CLIENT",
    "AuthKind",
    "ClientSpec",
    "ConnectionReport",
    "PermissionCheck",
    "RedirectPortInUseError",
    "SignInExpiredError",
    "SignedInUser",
    "build_client",
    "builtin_sandbox_profile",
    "endpoint_for",
    "is_builtin_sandbox",
    "is_stale_sandbox",
    "permission_checks",
    "redirect_uri",
    "region_label",
    "resolve_credentials",
    "run_connection_test",
    "sign_in_user",
    "spec_for",
]
