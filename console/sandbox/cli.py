"""``outbound-console sandbox``: serve the emulator until interrupted."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from console.sandbox.server import Sandbox, SandboxConfig, is_loopback
from console.sandbox.store import FREE_SWITCHES, SWITCHES


def _switch(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"--switch takes NAME=VALUE; got {text!r}")
    return name.strip(), value.strip()


def _fault(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--fault takes a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError('--fault takes a JSON object, e.g. \'{"kind": "429", "count": 3}\'')
    return value


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the sandbox options on ``parser``."""
    names = ", ".join(f"{n} ({'|'.join(v)})" for n, v in SWITCHES.items())
    names += ", " + ", ".join(FREE_SWITCHES)
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface to bind (default: loopback only; ::1 for IPv6 loopback)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow a --host other machines can reach (0.0.0.0, a LAN address): anyone there gets the "
        "sandbox and its client secret",
    )
    parser.add_argument("--port", type=int, default=8765, help="TCP port; 0 picks a free one (default 8765)")
    parser.add_argument("--state", metavar="FILE", help="keep lists and contacts in this SQLite file")
    parser.add_argument("--client-id", default="sandbox-client", help="client-credentials client id")
    parser.add_argument("--client-secret", default="sandbox-secret", help="client-credentials client secret")
    parser.add_argument("--token-lifetime", type=int, default=86399, help="expires_in of tokens, seconds")
    parser.add_argument("--rate-limit", type=int, default=300, help="requests per minute per token")
    parser.add_argument("--import-delay", type=float, default=0.5, help="seconds an import stays IN_PROGRESS")
    parser.add_argument(
        "--switch",
        action="append",
        type=_switch,
        default=[],
        metavar="NAME=VALUE",
        help=f"set a behaviour switch (repeatable): {names}",
    )
    parser.add_argument(
        "--fault",
        action="append",
        type=_fault,
        default=[],
        metavar="JSON",
        help='inject a fault (repeatable), e.g. \'{"kind": "429", "count": 3, "retry_after": 1}\'; '
        "kinds: 429, status, drop, delay (docs/sandbox-control.md)",
    )


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM; returns 0 on a clean stop, 2 on bad options."""
    remote = not is_loopback(args.host)
    if remote and not args.allow_remote:
        sys.stderr.write(
            f"sandbox: --host {args.host} is not a loopback address: every machine that can reach it "
            "could use the sandbox with the client secret it prints. Use --host 127.0.0.1 (or ::1), or add "
            "--allow-remote if other machines must reach it.\n"
        )
        return 2
    config = SandboxConfig(
        host=args.host,
        port=args.port,
        client_id=args.client_id,
        client_secret=args.client_secret,
        token_lifetime=args.token_lifetime,
        rate_limit=args.rate_limit,
        state_file=args.state,
        switches=dict(args.switch),
        faults=list(args.fault),
        import_delay=args.import_delay,
    )
    try:
        sandbox = Sandbox(config)
        sandbox.start()
    except (ValueError, OSError) as exc:
        sys.stderr.write(f"sandbox: {exc}\n")
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        if remote:
            sys.stderr.write(
                f"WARNING: the sandbox listens on {args.host}, which other machines can reach "
                "(--allow-remote): anyone who can connect gets its data and, with the client secret "
                "below, full access. Plain HTTP: nothing is encrypted.\n"
            )
            sys.stderr.flush()
        _say(f"Sandbox listening on {sandbox.url}")
        _say(f"client_id={config.client_id} client_secret={config.client_secret}")
        while not stop.wait(0.2):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    _say("Sandbox stopped")
    return 0
