"""SharedFlag: a threading.Event look-alike over one shared c_bool."""

from __future__ import annotations

import pickle
import threading
from multiprocessing.reduction import ForkingPickler

import pytest

from console.ipc import Flags, Kind, SharedFlag, portable


def test_set_clear_and_wait() -> None:
    flag = SharedFlag()
    assert isinstance(flag, threading.Event)  # the lower layers are typed for one
    assert not flag.is_set()
    assert flag.wait(0.01) is False
    flag.set()
    assert flag.is_set()
    assert flag.wait(0) is True
    assert flag.wait() is True
    flag.clear()
    assert not flag.is_set()


def test_crosses_only_while_spawning() -> None:
    """Shared memory is handed over in the Process arguments, never by a stray pickle."""
    with pytest.raises(RuntimeError, match="inheritance"):
        ForkingPickler.dumps(SharedFlag())
    with pytest.raises(TypeError):
        pickle.dumps(SharedFlag())


def test_flags_watch_the_parent_for_cancel_and_stop_only() -> None:
    flags = Flags.new()
    assert flags.cancel._orphan_sets
    assert flags.stop._orphan_sets
    assert not flags.pause._orphan_sets
    assert not flags.cancel.is_set()  # in the process that made it, never "orphaned"


def test_old_string_keys_become_kinds() -> None:
    assert Kind("progress") is Kind.PROGRESS
    assert Kind("exchange") is Kind.EXCHANGE


def test_portable_keeps_picklable_errors_and_flattens_the_rest() -> None:
    err = ValueError("x")
    assert portable(err) is err

    class LocalError(Exception):
        pass

    out = portable(LocalError("y"))
    assert type(out) is RuntimeError
    assert str(out) == "LocalError: y"
