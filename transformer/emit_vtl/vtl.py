"""Small helpers for writing VTL text: literals that can never be interpolated, and an indenting writer.

Every constant taken from the schema (field names, group names, claims) reaches a template as a
single-quoted VTL string, which Velocity never interpolates, so a `$` or `#` in a name stays text.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    """Collects template lines with two-space indentation inside `#if`/`#foreach` blocks.

    A large build writes about a million lines, so the current indentation is kept as a string and
    blocks are plain context objects rather than generator-based ones.
    """

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._depth = 0
        self._indent = ""

    def _set_depth(self, depth: int) -> None:
        self._depth = depth
        self._indent = "  " * depth

    def line(self, text: str) -> None:
        self._lines.append(self._indent + text)

    def lines(self, texts: Iterable[str]) -> None:
        indent = self._indent
        self._lines.extend(indent + text for text in texts)

    def qr(self, expression: str) -> None:
        """A call whose value must not be rendered."""
        self._lines.append(self._indent + "$util.qr(" + expression + ")")

    def qr_with(self, variable: str, literal: str, call: str) -> None:
        """`call` (a format string taking the variable) given a list or map `literal` through `variable`.

        A literal written directly as a method argument stays a plain object in the simulator's
        engine (only `#set` turns it into a Java map or list), so it is always set first."""
        self.line(f"#set({variable} = {literal})")
        self.qr(call.format(variable))

    def block(self, *openings: str) -> _Block:
        """Nested `#if`/`#foreach` blocks, closed with `#end` in reverse order."""
        return _Block(self, openings)

    def else_(self, condition: str | None = None) -> None:
        """`#else`, or `#elseif(condition)`, inside the innermost block."""
        self._lines.append("  " * (self._depth - 1) + ("#else" if condition is None else f"#elseif({condition})"))

    def written(self) -> list[str]:
        """The lines so far, indented."""
        return self._lines

    def text(self) -> str:
        return "\n".join(self._lines) + "\n"


class _Block:
    """The context of `VtlWriter.block`: writes the openings on entry and one `#end` each on exit."""

    __slots__ = ("_openings", "_writer")

    def __init__(self, writer: VtlWriter, openings: tuple[str, ...]) -> None:
        self._writer = writer
        self._openings = openings

    def __enter__(self) -> None:
        writer = self._writer
        depth = writer._depth
        for opening in self._openings:
            writer._lines.append("  " * depth + opening)
            depth += 1
        writer._set_depth(depth)

    def __exit__(self, *_: object) -> None:
        writer = self._writer
        depth = writer._depth
        for _opening in self._openings:
            depth -= 1
            writer._lines.append("  " * depth + "#end")
        writer._set_depth(depth)


def empty_payload() -> str:
    """The request a NONE data source function sends when it only decides."""
    return '{"version": "' + MAPPING_VERSION + '", "payload": {}}'
