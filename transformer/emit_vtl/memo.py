"""Template text that several templates of one build share, worked out once per build.

A model's read check is the same text for its list query, its index queries and every relational
read of it; its subscription check is the same for onCreate, onUpdate and onDelete; the check that
refuses a filter naming a protected field repeats in each query and subscription of the model. The
builders are pure functions of the model (and hashable options), so within `templates_memoized()`
their results are kept, keyed by the model object's identity. The block must not change a model;
each entry keeps its model alive, so an identity cannot be reused by another object meanwhile.
Outside the block nothing is kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Concatenate, ParamSpec, TypeVar

from transformer.emit_vtl.vtl import VtlWriter

P = ParamSpec("P")
T = TypeVar("T")
O = TypeVar("O")  # noqa: E741 - the owner object a result is keyed by

_MEMO: ContextVar[dict[Hashable, tuple[object, object]] | None] = ContextVar("template_memo", default=None)


@contextmanager
def templates_memoized() -> Iterator[None]:
    """Keep shared template text for the duration of the block (nested blocks share the outer one)."""
    if _MEMO.get() is not None:
        yield
        return
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _remembered(key: Hashable, owner: object, compute: Callable[[], T]) -> T:
    memo = _MEMO.get()
    if memo is None:
        return compute()
    entry = memo.get(key)
    if entry is None or entry[0] is not owner:
        entry = memo[key] = (owner, compute())
    return entry[1]  # type: ignore[return-value]


def per_owner(function: Callable[Concatenate[O, P], T]) -> Callable[Concatenate[O, P], T]:
    """Memoize a pure builder by the identity of its first argument and the value of the others
    (which must be hashable). Callers share the result, so it must never be changed (text, a tuple, an enum,
    a mapping no caller writes to)."""

    @functools.wraps(function)
    def wrapper(owner: O, /, *args: P.args, **kwargs: P.kwargs) -> T:
        key = (function, id(owner), args, tuple(sorted(kwargs.items())))
        return _remembered(key, owner, lambda: function(owner, *args, **kwargs))

    return wrapper


def write_fragment(w: VtlWriter, owner: object, key: Hashable, build: Callable[[VtlWriter], None]) -> None:
    """Write the lines `build` writes, indented where `w` is, building them once per (owner, key).

    `build` must depend on nothing but the owner and the key: not on what `w` already holds."""

    def compute() -> tuple[str, ...]:
        fragment = VtlWriter()
        build(fragment)
        return tuple(fragment.written())

    w.lines(_remembered((write_fragment, id(owner), key), owner, compute))


__all__ = ["per_owner", "templates_memoized", "write_fragment"]
