"""Java semantics for plain Python values: type tests, equality, `toString()` and numbers.

Templates see Python `dict`/`list`/`str`/`int`/`float`/`bool`/`None` as Java `Map`/`List`/`String`/
numbers/`Boolean`/`null`. Values are not wrapped; behaviour is chosen by type here and in
`javamethods.py`, so a map key can never be shadowed by a Python attribute.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from .errors import EvalError
from .host import HostObject

VOID = ""
"""What a Java `void` method gives a template: Velocity renders it as nothing."""


class MapEntry(HostObject):
    """`Map.Entry` from `entrySet()`: `.key`, `.value`, `getKey()`, `getValue()`, `setValue(v)`."""

    __slots__ = ("_map", "key", "value")
    java_type = "Map.Entry"

    def __init__(self, backing: dict[Any, Any], key: Any, value: Any) -> None:
        self._map = backing
        self.key = key
        self.value = value

    def get_property(self, name: str) -> Any:
        if name == "key":
            return self.key
        if name == "value":
            return self.value
        return None

    def m_getKey(self) -> Any:
        return self.key

    def m_getValue(self) -> Any:
        return self.value

    def m_setValue(self, value: Any) -> Any:
        old = self.value
        self.value = value
        self._map[self.key] = value
        return old

    def m_toString(self) -> str:
        return self.java_string()

    def m_equals(self, other: Any) -> bool:
        return (
            isinstance(other, MapEntry)
            and java_equals(self.key, other.key)
            and java_equals(self.value, other.value)
        )

    def java_string(self) -> str:
        return f"{to_java_string(self.key)}={to_java_string(self.value)}"


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def truthy(value: Any) -> bool:
    """Velocity truth: null and false are false, everything else (even "" and []) is true."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    return True


def java_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Double"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "List"
    if isinstance(value, dict):
        return "Map"
    if isinstance(value, HostObject):
        return value.java_type
    return type(value).__name__


def java_double(value: float) -> str:
    """`Double.toString`: plain between 1e-3 and 1e7, otherwise `d.dddE±n`."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).as_tuple()
    digit_text = "".join(str(d) for d in digits).rstrip("0") or "0"
    power = len(digits) + int(exponent) - 1
    mantissa = digit_text[0] + "." + (digit_text[1:] or "0")
    return f"{'-' if sign else ''}{mantissa}E{power}"


def to_java_string(value: Any) -> str:
    """What Java's `String.valueOf` gives: `true`, `null`, `[a, b]`, `{a=1, b=2}`."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, list):
        return "[" + ", ".join(to_java_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{to_java_string(k)}={to_java_string(v)}" for k, v in value.items()) + "}"
    if isinstance(value, HostObject):
        return value.java_string()
    return str(value)


def java_equals(left: Any, right: Any) -> bool:
    """`Object.equals`: same kind and same value; 1 and 1.0 differ, true and 1 differ."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int) and isinstance(right, int):
        return left == right
    if isinstance(left, float) and isinstance(right, float):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(java_equals(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(java_equals(v, right[k]) for k, v in left.items())
    if isinstance(left, MapEntry):
        return left.m_equals(right)
    return left is right


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def vtl_equals(left: Any, right: Any) -> bool:
    """The `==` operator: numbers by value, null only equals null, same kinds by `equals`.

    Velocity compares the `toString()` of two values of different classes; that fallback is kept
    for scalars only (`1 == "1"`), never for maps or lists, so a crafted string cannot equal a list.
    """
    if left is None or right is None:
        return left is None and right is None
    if is_number(left) and is_number(right):
        return left == right
    if java_type_name(left) == java_type_name(right) or isinstance(left, list | dict):
        return java_equals(left, right)
    if _is_scalar(left) and _is_scalar(right):
        return to_java_string(left) == to_java_string(right)
    return False


def require_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise EvalError(f"{what} must be an integer, got {java_type_name(value)}")
    return int(value)


def require_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise EvalError(f"{what} must be a String, got {java_type_name(value)}")
    return value


def require_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise EvalError(f"{what} must be a List, got {java_type_name(value)}")
    return value


def require_map(value: Any, what: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise EvalError(f"{what} must be a Map, got {java_type_name(value)}")
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, MapEntry):
        return {to_java_string(value.key): value.value}
    if isinstance(value, HostObject):
        return value.java_string()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def to_json(value: Any) -> str:
    """Compact JSON, as `$util.toJson` writes it."""
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise EvalError(f"cannot convert to JSON: {exc}") from exc


def from_plain(value: Any) -> Any:
    """Deep copy of caller data into template values (dict/list/str/int/float/bool/None)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): from_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [from_plain(v) for v in value]
    if hasattr(value, "model_dump"):
        return from_plain(value.model_dump(mode="json"))
    raise ValueError(f"a value of type {type(value).__name__} cannot be given to a template")
