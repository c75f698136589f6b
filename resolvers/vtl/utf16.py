"""Java's view of a string: a sequence of UTF-16 code units, so a character outside the Basic Multilingual Plane
("😀") counts 2 in `length()` and occupies two indexes in `substring`, `indexOf`, `charAt`...

A Python `str` holds code points. `to_units` spells a string as one Python character per UTF-16 unit (an astral
character becomes its surrogate pair), so slicing and searching it follow Java's indexes; `from_units` joins
pairs back into code points (a lone surrogate, as Java's `substring` can leave, stays as it is).
"""

from __future__ import annotations

import re

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def has_astral(text: str) -> bool:
    """Whether any character needs two UTF-16 units (the only case where Java's indexes differ from Python's)."""
    return not text.isascii() and _ASTRAL.search(text) is not None


def utf16_length(text: str) -> int:
    """Java's `String.length()`."""
    if text.isascii():
        return len(text)
    return len(text) + len(_ASTRAL.findall(text))


def _pair(match: re.Match[str]) -> str:
    offset = ord(match.group()) - 0x10000
    return chr(0xD800 + (offset >> 10)) + chr(0xDC00 + (offset & 0x3FF))


def to_units(text: str) -> str:
    """`text` with each astral character replaced by its surrogate pair: one Python character per UTF-16 unit."""
    return _ASTRAL.sub(_pair, text) if has_astral(text) else text


def from_units(units: str) -> str:
    """The inverse of `to_units`: surrogate pairs joined into code points, lone surrogates kept."""
    if units.isascii():
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


__all__ = ["from_units", "has_astral", "to_units", "utf16_length"]
