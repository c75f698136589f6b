"""Pausing the cyclic garbage collector around bulk building of small, acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ONE_SHOT: ContextVar[bool] = ContextVar("gc_one_shot", default=False)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small, acyclic objects.

    The emitter allocates only short trees; with a large matrix alive, every automatic collection
    walks the whole heap, which made emission time grow faster than the schema.

    Inside `one_shot_command()` the outermost pause ends by freezing everything alive, so that no
    later collection walks the loaded project again. It does not collect first: a full collection
    walks every live object, a tenth of a large transform, and the loading leaves no cycles behind
    (`sdl_parsing` parses and validates without them), so reference counting has already freed
    what the pause built and dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if _ONE_SHOT.get():
                gc.freeze()
            gc.enable()


@contextmanager
def one_shot_command() -> Iterator[None]:
    """For a command that exits once its work is done (`transform`): what a pause built is kept until
    the process ends, so it is frozen out of the collector's walks (see `paused_gc`). Not for
    long-running processes (`serve`), where a frozen object caught in a cycle would never be freed.
    """
    token = _ONE_SHOT.set(True)
    try:
        yield
    finally:
        _ONE_SHOT.reset(token)


__all__ = ["one_shot_command", "paused_gc"]
