"""A parsed template and the cache of parsed templates (parsing costs far more than rendering)."""

from __future__ import annotations

from functools import lru_cache

from .errors import VtlSyntaxError
from .nodes import MacroDef, Node
from .parser import line_and_column, parse_template


class Template:
    """Immutable result of parsing one template text; render it any number of times."""

    __slots__ = ("name", "source", "nodes", "macros")

    def __init__(self, name: str, source: str, nodes: list[Node], macros: dict[str, MacroDef]) -> None:
        self.name = name
        self.source = source
        self.nodes = nodes
        self.macros = macros

    @classmethod
    def parse(cls, text: str, name: str = "<template>", portable: bool = False) -> Template:
        """Parse `text`; raises `VtlSyntaxError` (with name, line, column) on bad syntax.

        `portable` also refuses what only some engines read as meant (see `parser.py`)."""
        try:
            nodes, macros = parse_template(text, name, portable)
        except RecursionError:
            raise VtlSyntaxError("template nesting is too deep", name) from None
        return cls(name, text, nodes, macros)

    def location(self, pos: int) -> tuple[int, int]:
        return line_and_column(self.source, pos)

    def __repr__(self) -> str:
        return f"Template({self.name!r}, {len(self.source)} chars)"


@lru_cache(maxsize=1024)
def get_template(text: str, name: str = "<template>", portable: bool = False) -> Template:
    """`Template.parse` with an LRU cache keyed by (text, name, portable)."""
    return Template.parse(text, name, portable)
