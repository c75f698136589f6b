"""Pausing the cyclic garbage collector around bulk building of small, acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small, acyclic objects.

    The emitter allocates only short trees; with a large matrix alive, every automatic collection
    walks the whole heap, which made emission time grow faster than the schema.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
