"""The `outbound-console` command line.

Each subcommand lives in the layer it belongs to and is imported lazily, so that
`outbound-console sandbox` does not pay for Qt and `--version` is instant.
A subcommand module provides ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from console import __version__

# name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "sandbox": ("console.sandbox.cli", "serve the local Genesys Cloud emulator"),
    "upload": ("console.jobs.cli", "upload a contact CSV to a contact list (resumable)"),
    "validate": ("console.contacts.cli", "validate a contact CSV against a list definition"),
    "doctor": ("console.doctor.cli", "read-only org check: network, clock, OAuth, permissions, live updates"),
    "gui": ("console.ui.app", "open the main window"),
    "activity": ("console.activity.cli", "print the activity history: every write the console made"),
    "self-test": ("console.selftest", "offscreen end-to-end check: sandbox, upload, test call, window"),
}


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="outbound-console",
        description="Operator console for Genesys Cloud CX outbound dialing.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        module = importlib.import_module(module_name)
        module.add_arguments(sub_parser)
        sub_parser.set_defaults(_module=module_name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    from console.paths import restrict_umask

    restrict_umask()  # nothing the app writes is readable by other users (issue 16)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        gui = SUBCOMMANDS.get("gui")
        if gui is None:
            parser.print_help()
            return 0
        args._module = gui[0]
    module = importlib.import_module(args._module)
    result: int = module.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
