"""The sandbox in a child process: what the app embeds and the UI benchmark talks to.

In the GUI's own process the emulator's request threads (JSON, pruning 1,000-contact answers,
SQLite) would compete with the UI thread for the GIL: measured on the 20,000-row upload of
``benchmarks/ui_preview_bench.py``, the longest UI stall was 95-111 ms with the sandbox in
process and 38-45 ms with it in a child. :class:`SandboxProcess` has the same surface as
:class:`~console.sandbox.server.Sandbox` (``start``, ``url``, ``port``, ``control``, ``reset``,
``issued_tokens``, ``stop``, a context manager); calls go over a pipe to the child, which
serves until told to stop or until its parent goes away (the pipe closes), so a crashed
console leaves no emulator behind.

The child is started with ``spawn`` (never ``fork`` a process running Qt); a frozen bundle's
entry point calls ``multiprocessing.freeze_support()``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from multiprocessing.connection import Connection
from typing import Any

from console.sandbox.server import Listening, Sandbox, SandboxConfig

__all__ = ["SandboxProcess", "SandboxProcessError"]


class SandboxProcessError(RuntimeError):
    """The sandbox's child process did not start or stopped answering."""


def _serve(conn: Connection, config: SandboxConfig) -> None:
    """Child entry: serve ``config``, answer (command, argument) messages until "stop" or EOF."""
    try:
        sandbox = Sandbox(config).start()
    except OSError as exc:
        conn.send(("error", f"cannot listen on {config.host}:{config.port}: {exc}"))
        conn.close()
        return
    conn.send(("ok", sandbox.port))
    try:
        while True:
            try:
                command, argument = conn.recv()
            except (EOFError, OSError):
                break  # the parent is gone
            if command == "stop":
                break
            try:
                if command == "control":
                    conn.send(("ok", sandbox.control(argument)))
                elif command == "tokens":
                    conn.send(("ok", sandbox.issued_tokens()))
                elif command == "reset":
                    sandbox.reset()
                    conn.send(("ok", None))
                else:
                    conn.send(("error", f"unknown command {command!r}"))
            except ValueError as exc:
                conn.send(("value-error", str(exc)))
    finally:
        sandbox.stop()
        conn.close()


class SandboxProcess(Listening):
    """A :class:`Sandbox` served from a spawned child process.

    Args:
        config: Start-up configuration (picklable); defaults everywhere when omitted.
        start_timeout: Seconds to wait for the child to listen.
    """

    def __init__(self, config: SandboxConfig | None = None, *, start_timeout: float = 30.0) -> None:
        self.config = config or SandboxConfig()
        self.start_timeout = start_timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._conn: Connection | None = None
        self._port: int | None = None
        self._lock = threading.Lock()

    def start(self) -> SandboxProcess:
        """Spawn the child; returns once it listens.

        Raises:
            SandboxProcessError: The child could not bind or did not start in time.
        """
        if self._process is not None:
            return self
        parent, child = self._ctx.Pipe()
        process = self._ctx.Process(target=_serve, args=(child, self.config), name="sandbox", daemon=True)
        process.start()
        child.close()
        if not parent.poll(self.start_timeout):
            process.terminate()
            raise SandboxProcessError(f"the sandbox did not start within {self.start_timeout:.0f} s")
        try:
            status, value = parent.recv()
        except EOFError:
            process.join(1)
            code = process.exitcode
            raise SandboxProcessError(f"the sandbox process ended at start (exit {code})") from None
        if status != "ok":
            process.join(1)
            raise SandboxProcessError(str(value))
        self._process, self._conn, self._port = process, parent, int(value)
        return self

    @property
    def pid(self) -> int | None:
        """The child's process id (None before start)."""
        return None if self._process is None else int(self._process.pid)

    def _call(self, command: str, argument: Any = None) -> Any:
        with self._lock:
            if self._conn is None:
                raise RuntimeError("the sandbox is not started")
            try:
                self._conn.send((command, argument))
                status, value = self._conn.recv()
            except (EOFError, OSError) as exc:
                raise SandboxProcessError(f"the sandbox process stopped answering: {exc}") from None
        if status == "value-error":
            raise ValueError(value)
        if status != "ok":
            raise SandboxProcessError(str(value))
        return value

    def control(self, data: dict[str, Any]) -> dict[str, Any]:
        """Apply a control document (same JSON as ``POST /sandbox/control``); returns the snapshot.

        Raises:
            ValueError: For unknown keys, switches or values.
        """
        snapshot: dict[str, Any] = self._call("control", data)
        return snapshot

    def issued_tokens(self) -> list[str]:
        """Access tokens issued so far (a test checks none leaks into logs or exports)."""
        tokens: list[str] = self._call("tokens")
        return tokens

    def reset(self) -> None:
        """Data back to the seed; switches to defaults; faults, tokens and request log cleared."""
        self._call("reset")

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and end the child (terminated when it does not stop within ``timeout``)."""
        with self._lock:
            process, conn = self._process, self._conn
            self._process = self._conn = None
            if process is None or conn is None:
                return
            with contextlib.suppress(OSError):
                conn.send(("stop", None))
            conn.close()
        process.join(timeout)
        if process.is_alive():
            process.terminate()
            process.join(timeout)

    def __enter__(self) -> SandboxProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
