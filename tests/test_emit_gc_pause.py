"""`paused_gc` in a one-shot command freezes what survives the pause, without a full collection."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from transformer.gc_pause import one_shot_command, paused_gc


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    return weakref.ref(first)


@pytest.fixture
def thawed() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.enable()


def test_a_long_running_process_is_never_frozen(thawed: None) -> None:
    with paused_gc():
        assert not gc.isenabled()
        _cycle()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_one_shot_command_freezes_what_the_pause_leaves_without_collecting(thawed: None) -> None:
    kept = _Node()
    with one_shot_command():
        with paused_gc():
            dropped = _cycle()
            with paused_gc():
                pass
            assert not gc.isenabled(), "an inner pause must not end the outer one"
        assert gc.isenabled()
        assert dropped() is not None, "the pause must not pay for a full collection"
        assert gc.get_freeze_count() > 0
        assert any(obj is kept for obj in gc.get_objects()) is False
    gc.unfreeze()
    with paused_gc():
        pass
    assert gc.get_freeze_count() == 0
