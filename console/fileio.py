"""Writing the files the user asks for without ever destroying one: no layer imports beyond the stdlib.

:func:`refuse_same_file` stops an output that is one of the inputs (the same path, a symlink to
it or a hard link: compared by device and inode); :func:`atomic_write` writes through a temporary
file in the output's own folder, flushed to disk and renamed over the target, so a crash leaves
either the old file or the whole new one, never half of it; :func:`check_writable` finds out
before a long job whether its output can be written at all.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["OutputError", "atomic_write", "check_writable", "refuse_same_file", "same_file"]


class OutputError(Exception):
    """An output cannot be written (the message is one sentence for the user)."""


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when ``a`` and ``b`` are one file (same path, symlink or hard link); False if one is missing."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def refuse_same_file(output: str | os.PathLike[str], inputs: dict[str, str | os.PathLike[str]]) -> None:
    """Raise :class:`OutputError` when ``output`` is one of ``inputs`` (name -> path).

    Raises:
        OutputError: The output would overwrite that input.
    """
    for what, path in inputs.items():
        if same_file(output, path):
            raise OutputError(
                f"{output} is the {what} itself; writing it would destroy the {what}. Choose another file."
            )


def check_writable(path: str | os.PathLike[str]) -> None:
    """Check that ``path`` can be written, by creating (and removing) a file beside it.

    Raises:
        OutputError: The folder is missing or not writable, or the path is a folder.
    """
    p = Path(path)
    folder = p.parent
    if p.is_dir():
        raise OutputError(f"{p} is a folder, not a file.")
    if not folder.is_dir():
        raise OutputError(f"cannot write {p}: the folder {folder} does not exist.")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".check", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {p}: {exc.strerror or exc}.") from exc
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(name)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is fsynced and renamed over ``path``.

    Whatever the body writes to the yielded path replaces ``path`` in one step (``os.replace``);
    if the body raises, the temporary file is removed and ``path`` is untouched. A symlink at
    ``path`` is replaced by the file (the link's target is left alone).
    """
    target = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(OSError):
            if target.exists():
                os.chmod(tmp, os.stat(target).st_mode & 0o777)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if os.name == "posix":
        with contextlib.suppress(OSError):
            dfd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
