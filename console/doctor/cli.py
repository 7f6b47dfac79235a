"""``outbound-console doctor``: a read-only check of an org before the first upload.

Usage::

    outbound-console doctor [--profile NAME | --base-url URL --client-id ID] [--json] [--report FILE]
                            [--timeout SECONDS] [--heartbeat-wait SECONDS]

The secret comes from the keyring (``--profile``) or from ``GENESYS_CLIENT_SECRET`` (never from the command
line). One line per step on stdout, ``ok|fail|skip <step>: <detail>``, then ``doctor: P ok, F failed, S
skipped``; ``--json`` prints the same as one JSON document instead. Exit codes: 0 nothing failed, 1 a step
failed, 2 could not run, 3 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading

from pydantic import SecretStr

from console.api.regions import Endpoint, Region
from console.connect.client import AuthKind, ClientSpec
from console.connect.profiles import endpoint_for
from console.credentials import KeyringSecretStore, ProfileStore, SignInMethod
from console.doctor.report import support_report
from console.doctor.result import DoctorReport, DoctorTarget, StepResult, step_line, summary_line
from console.doctor.run import DoctorOptions, run_doctor, target_for
from console.errors import Cancelled, CredentialsError
from console.fileio import OutputError, atomic_write, check_writable

__all__ = ["SECRET_ENV", "add_arguments", "run"]

SECRET_ENV = "GENESYS_CLIENT_SECRET"
"""Environment variable holding the client secret (``--base-url``, or a profile without a stored secret)."""

EXIT_OK, EXIT_FAILED, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 3


class _CannotRunError(Exception):
    """Setup failed (exit 2); the message is for the user."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the doctor's options on ``parser``."""
    conn = parser.add_argument_group("connection (the secret never goes on the command line)")
    conn.add_argument("--profile", metavar="NAME", help="a saved profile; its secret comes from the keyring")
    conn.add_argument("--base-url", metavar="URL", help=f"API base URL; the secret comes from ${SECRET_ENV}")
    conn.add_argument("--client-id", metavar="ID", help="OAuth client id (with --base-url)")
    parser.add_argument("--json", action="store_true", help="print the results as one JSON document")
    parser.add_argument(
        "--report", metavar="FILE", help="write a support-ready text report (no secret, no token)"
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="longest wait for any one answer (10)"
    )
    parser.add_argument(
        "--heartbeat-wait",
        type=float,
        default=35.0,
        metavar="SECONDS",
        help="longest wait for the notification channel's heartbeat (35; Genesys sends one about every 30 s)",
    )


def _endpoint(base_url: str) -> Endpoint:
    """A region's endpoint when the URL is a region's API base (login/apps hosts follow), else custom."""
    try:
        region = Region.parse(base_url)
    except ValueError:
        return Endpoint.custom(base_url)
    return Endpoint.for_region(region)


def _connection(args: argparse.Namespace) -> tuple[DoctorTarget, ClientSpec | None]:
    """The target and the client spec from ``--profile`` or ``--base-url``/``--client-id``."""
    timeout = float(args.timeout)
    if args.profile:
        try:
            store = ProfileStore()
        except ValueError as exc:
            raise _CannotRunError(str(exc)) from exc
        profile = next((p for p in store.profiles if args.profile in (p.name, p.id)), None)
        if profile is None:
            raise _CannotRunError(f"no profile named {args.profile!r}.")
        try:
            endpoint = endpoint_for(profile)
        except ValueError as exc:
            raise _CannotRunError(f"profile {profile.name!r}: {exc}") from exc
        target = target_for(profile, endpoint, profile.client_id, sign_in=profile.sign_in)
        if profile.sign_in is SignInMethod.PKCE:
            return target, None  # a user token needs the browser: the token steps say so
        try:
            secret = KeyringSecretStore().get(profile.id)
        except CredentialsError:
            secret = None
        if secret is None and os.environ.get(SECRET_ENV):
            secret = SecretStr(os.environ[SECRET_ENV])
        if secret is None:
            raise _CannotRunError(
                f"profile {profile.name!r} has no secret in the keyring; save it in the app first "
                f"(or set {SECRET_ENV})."
            )
        spec = ClientSpec(
            endpoint,
            AuthKind.CLIENT_CREDENTIALS,
            profile.client_id,
            secret=secret,
            proxy=profile.proxy_url,
            timeout=timeout,
        )
        return target, spec
    if not args.base_url or not args.client_id:
        raise _CannotRunError("give --profile NAME, or --base-url URL with --client-id ID.")
    raw = os.environ.get(SECRET_ENV)
    if not raw:
        raise _CannotRunError(f"set the client secret in the environment variable {SECRET_ENV}.")
    try:
        endpoint = _endpoint(args.base_url)
    except ValueError as exc:
        raise _CannotRunError(str(exc)) from exc
    target = target_for(None, endpoint, args.client_id, sign_in=SignInMethod.CLIENT_CREDENTIALS)
    return target, ClientSpec(
        endpoint, AuthKind.CLIENT_CREDENTIALS, args.client_id, secret=SecretStr(raw), timeout=timeout
    )


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def run(args: argparse.Namespace) -> int:
    """Run the doctor; returns the exit code."""
    try:
        if args.report:
            check_writable(args.report)
        target, spec = _connection(args)
    except (_CannotRunError, OutputError) as exc:
        sys.stderr.write(f"doctor: {exc}\n")
        return EXIT_CANNOT_RUN
    options = DoctorOptions(timeout=float(args.timeout), heartbeat_timeout=float(args.heartbeat_wait))

    def printed(result: StepResult) -> None:
        if not args.json:
            _out(step_line(result))

    cancel = threading.Event()
    try:
        report: DoctorReport = run_doctor(target, spec, options=options, cancel=cancel, progress=printed)
    except (KeyboardInterrupt, Cancelled):
        cancel.set()
        sys.stderr.write("doctor: interrupted\n")
        return EXIT_INTERRUPTED
    if args.json:
        _out(json.dumps(report.to_data(), indent=2))
    else:
        _out(summary_line(report))
    if args.report:
        try:
            with atomic_write(args.report) as tmp:
                tmp.write_text(support_report(report), encoding="utf-8")
        except OSError as exc:
            sys.stderr.write(f"doctor: the report could not be written ({exc})\n")
            return EXIT_CANNOT_RUN
        sys.stderr.write(f"doctor: report written to {args.report}\n")
    return report.exit_code
