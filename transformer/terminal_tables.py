"""Tables that fit the terminal without cutting a name: a grid when every cell fits on one line, else
one block per row (its first cell as a heading, then `column: value` lines wrapped at words).

Rich folds a cell that is wider than its column in the middle of a word, which turns role names,
ARNs and policy paths into fragments; stacking keeps each of them whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

Cell = str | Text
PROSE_MIN_WIDTH = 24


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(cell)


def grid_width(headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, wrap_last: bool = False) -> int:
    """The width a boxed grid needs to show every cell on one line (the last column's longest word and
    at least `PROSE_MIN_WIDTH` columns when it may wrap)."""
    widths = [len(h) for h in headers]
    for row in rows:
        for index, cell in enumerate(row):
            text = _text(cell).plain
            wraps = wrap_last and index == len(headers) - 1
            needed = max([PROSE_MIN_WIDTH, *(len(word) for word in text.split())]) if wraps else len(text)
            widths[index] = max(widths[index], needed)
    return sum(widths) + 3 * len(widths) + 1


def fitted_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    width: int,
    *,
    title: str | None = None,
    wrap_last: bool = False,
) -> list[tuple[RenderableType, bool]]:
    """What to print for `rows` under `headers` in `width` columns, each with whether it must stay whole
    (a row's heading: a name is never cut, even wider than the terminal). With `wrap_last` the last
    column is prose that may wrap at words inside the grid."""
    if grid_width(headers, rows, wrap_last=wrap_last) <= width:
        table = Table(title=Text(title) if title else None, title_justify="left")
        for index, header in enumerate(headers):
            table.add_column(header, no_wrap=not (wrap_last and index == len(headers) - 1))
        for row in rows:
            table.add_row(*(_text(cell) for cell in row))
        return [(table, False)]
    blocks: list[tuple[RenderableType, bool]] = [(Text(title, style="bold"), False)] if title else []
    for row in rows:
        blocks.append((Text.assemble("  ", _text(row[0])), True))
        for header, cell in zip(headers[1:], row[1:], strict=True):
            line = Text.assemble(f"{header}: " if header else "", _text(cell))
            blocks.append((Padding(line, (0, 0, 0, 4), expand=False), False))
    return blocks


def print_fitted(
    console: Console,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    title: str | None = None,
    wrap_last: bool = False,
) -> None:
    """Print `fitted_table` at the console's width; stacked lines wrap at words, headings stay whole."""
    for block, whole in fitted_table(headers, rows, console.width, title=title, wrap_last=wrap_last):
        console.print(block, soft_wrap=whole)


__all__ = ["PROSE_MIN_WIDTH", "Cell", "fitted_table", "grid_width", "print_fitted"]
