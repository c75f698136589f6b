"""Names Amplify gives to generated operations, inputs and types, computed in one place."""

from __future__ import annotations

_IRREGULAR = {
    "person": "people",
    "man": "men",
    "woman": "women",
    "child": "children",
    "tooth": "teeth",
    "foot": "feet",
    "mouse": "mice",
    "goose": "geese",
    "ox": "oxen",
}
_UNCOUNTABLE = frozenset(
    {"equipment", "information", "rice", "money", "species", "series", "fish", "sheep", "deer", "news", "data", "metadata"}
)


def _plural_word(word: str) -> str:
    lower = word.lower()
    if lower in _UNCOUNTABLE:
        return word
    if lower in _IRREGULAR:
        plural = _IRREGULAR[lower]
        return plural[0].upper() + plural[1:] if word[0].isupper() else plural
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    if lower.endswith("fe"):
        return word[:-2] + "ves"
    if lower.endswith("f") and not lower.endswith(("ff", "of", "ief")):
        return word[:-1] + "ves"
    return word + "s"


def plural(type_name: str) -> str:
    """Pluralise the last word of a PascalCase name, as Amplify's `plurality` does (`BlogPost` -> `BlogPosts`)."""
    split = max((i for i, ch in enumerate(type_name) if ch.isupper()), default=0)
    return type_name[:split] + _plural_word(type_name[split:])


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]
