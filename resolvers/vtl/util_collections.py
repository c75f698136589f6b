"""`$util.str`, `$util.math`, `$util.list`, `$util.map`."""

from __future__ import annotations

import math
import random
import unicodedata
from typing import Any, Literal

from .errors import EvalError
from .host import HostObject
from .javatypes import (
    is_number,
    java_equals,
    java_type_name,
    require_list,
    require_map,
    require_str,
    to_java_string,
)


def _number(value: Any, what: str) -> int | float:
    if not is_number(value):
        raise EvalError(f"{what} must be a number, got {java_type_name(value)}")
    return value


class StrUtil(HostObject):
    __slots__ = ()
    java_type = "StrUtil"

    def m_toUpper(self, text: Any) -> Any:
        return None if text is None else require_str(text, "toUpper argument").upper()

    def m_toLower(self, text: Any) -> Any:
        return None if text is None else require_str(text, "toLower argument").lower()

    def m_toReplace(self, text: Any, old: Any, new: Any) -> Any:
        if text is None:
            return None
        return require_str(text, "toReplace argument").replace(to_java_string(old), to_java_string(new))

    def m_normalize(self, text: Any, form: Any) -> Any:
        forms: dict[str, Literal["NFC", "NFD", "NFKC", "NFKD"]] = {"NFC": "NFC", "NFD": "NFD", "NFKC": "NFKC",
                                                                   "NFKD": "NFKD"}
        name = forms.get(require_str(form, "normalization form").upper())
        if name is None:
            raise EvalError(f"unknown normalization form {form!r}")
        return None if text is None else unicodedata.normalize(name, require_str(text, "normalize argument"))


class MathUtil(HostObject):
    __slots__ = ()
    java_type = "MathUtil"

    def m_roundNum(self, value: Any) -> int:
        return math.floor(_number(value, "roundNum argument") + 0.5)

    def m_minVal(self, a: Any, b: Any) -> Any:
        return min(_number(a, "minVal argument"), _number(b, "minVal argument"))

    def m_maxVal(self, a: Any, b: Any) -> Any:
        return max(_number(a, "maxVal argument"), _number(b, "maxVal argument"))

    def m_randomDouble(self) -> float:
        return random.random()

    def m_randomWithinRange(self, low: Any, high: Any) -> int:
        a, b = int(_number(low, "range start")), int(_number(high, "range end"))
        if a > b:
            raise EvalError(f"randomWithinRange({a}, {b}): start is after end")
        return random.randint(a, b)


class ListUtil(HostObject):
    __slots__ = ()
    java_type = "ListUtil"

    def m_copyAndRetainAll(self, items: Any, keep: Any) -> list[Any]:
        kept = require_list(keep, "second argument")
        return [v for v in require_list(items, "first argument") if any(java_equals(v, k) for k in kept)]

    def m_copyAndRemoveAll(self, items: Any, remove: Any) -> list[Any]:
        removed = require_list(remove, "second argument")
        return [v for v in require_list(items, "first argument") if not any(java_equals(v, r) for r in removed)]

    def m_sortList(self, items: Any, descending: Any, prop: Any) -> list[Any]:
        values = list(require_list(items, "sortList argument"))
        key_name = to_java_string(prop) if prop not in (None, "") else None

        def key(item: Any) -> Any:
            value = item.get(key_name) if key_name is not None and isinstance(item, dict) else item
            return (value is None, to_java_string(value) if not is_number(value) else "", value if is_number(value) else 0)

        return sorted(values, key=key, reverse=descending is True)


class MapUtil(HostObject):
    __slots__ = ()
    java_type = "MapUtil"

    def m_copyAndRetainAllKeys(self, mapping: Any, keys: Any) -> dict[Any, Any]:
        wanted = require_list(keys, "key list")
        return {k: v for k, v in require_map(mapping, "map").items() if any(java_equals(k, w) for w in wanted)}

    def m_copyAndRemoveAllKeys(self, mapping: Any, keys: Any) -> dict[Any, Any]:
        unwanted = require_list(keys, "key list")
        return {k: v for k, v in require_map(mapping, "map").items() if not any(java_equals(k, w) for w in unwanted)}
