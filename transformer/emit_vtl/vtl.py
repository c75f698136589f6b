"""Small helpers for writing VTL text: literals that can never be interpolated, and an indenting writer.

Every constant taken from the schema (field names, group names, claims) reaches a template as a
single-quoted VTL string, which Velocity never interpolates, so a `$` or `#` in a name stays text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import quote

MAPPING_VERSION = "2018-05-29"


def q(text: str) -> str:
    """A VTL string literal for `text` that no engine interpolates or reads differently.

    Single-quoted unless the text holds a `'` (a doubled or escaped quote is read differently by
    Java's Velocity and the simulator's engine); then double-quoted when nothing in it could be
    interpolated, else decoded at run time from its percent-encoding (a reference, valid wherever
    a value is: not as a map key, which schema names never need).
    """
    if "'" not in text:
        return "'" + text + "'"
    if not any(char in text for char in '"$#\\'):
        return '"' + text + '"'
    return "$util.urlDecode('" + quote(text, safe="") + "')"


def q_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(q(item) for item in items) + "]"


class VtlWriter:
    """Collects template lines with two-space indentation inside `#if`/`#foreach` blocks."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._depth = 0

    def line(self, text: str) -> None:
        self._lines.append("  " * self._depth + text)

    def lines(self, texts: Iterable[str]) -> None:
        for text in texts:
            self.line(text)

    def qr(self, expression: str) -> None:
        """A call whose value must not be rendered."""
        self.line(f"$util.qr({expression})")

    def qr_with(self, variable: str, literal: str, call: str) -> None:
        """`call` (a format string taking the variable) given a list or map `literal` through `variable`.

        A literal written directly as a method argument stays a plain object in the simulator's
        engine (only `#set` turns it into a Java map or list), so it is always set first."""
        self.line(f"#set({variable} = {literal})")
        self.qr(call.format(variable))

    @contextmanager
    def block(self, *openings: str) -> Iterator[None]:
        """Nested `#if`/`#foreach` blocks, closed with `#end` in reverse order."""
        for opening in openings:
            self.line(opening)
            self._depth += 1
        try:
            yield
        finally:
            for _ in openings:
                self._depth -= 1
                self.line("#end")

    def else_(self, condition: str | None = None) -> None:
        """`#else`, or `#elseif(condition)`, inside the innermost block."""
        self._depth -= 1
        self.line("#else" if condition is None else f"#elseif({condition})")
        self._depth += 1

    def text(self) -> str:
        return "\n".join(self._lines) + "\n"


def empty_payload() -> str:
    """The request a NONE data source function sends when it only decides."""
    return '{"version": "' + MAPPING_VERSION + '", "payload": {}}'
