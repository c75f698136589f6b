"""The whitelisted Java methods of String, List, Map, numbers and Boolean, and member access.

Everything a template can do to a value goes through `get_property`, `get_index` and
`call_method`. A name missing from these tables is an error (methods) or null (properties).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from .errors import EvalError
from .host import HostObject
from .javatypes import (
    VOID,
    MapEntry,
    java_equals,
    java_type_name,
    require_int,
    require_list,
    require_map,
    require_str,
    to_java_string,
)
from .utf16 import from_units, to_units, utf16_length

Method = Callable[..., Any]


@lru_cache(maxsize=512)
def java_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise EvalError(f"invalid regular expression {pattern!r}: {exc}") from exc


def java_replacement(replacement: str) -> Callable[[re.Match[str]], str]:
    """Java's `$1` / `${name}` / `\\$` replacement syntax as a `re.sub` function."""
    pieces: list[str | int] = []
    literal: list[str] = []
    i = 0
    while i < len(replacement):
        ch = replacement[i]
        if ch == "\\" and i + 1 < len(replacement):
            literal.append(replacement[i + 1])
            i += 2
            continue
        if ch == "$":
            if replacement.startswith("{", i + 1) and "}" in replacement[i + 2 :]:
                end = replacement.index("}", i + 2)
                pieces.append("".join(literal))
                literal = []
                pieces.append(replacement[i + 2 : end])
                pieces.append("")
                i = end + 1
                continue
            j = i + 1
            while j < len(replacement) and replacement[j].isdigit():
                j += 1
            if j == i + 1:
                raise EvalError(f"illegal group reference in replacement {replacement!r}")
            pieces.append("".join(literal))
            literal = []
            pieces.append(int(replacement[i + 1 : j]))
            i = j
            continue
        literal.append(ch)
        i += 1
    pieces.append("".join(literal))

    def substitute(match: re.Match[str]) -> str:
        out: list[str] = []
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                out.append(str(piece))
            elif piece == "":
                continue
            else:
                try:
                    out.append(match.group(piece) or "")
                except IndexError as exc:
                    raise EvalError(f"no group {piece} in pattern") from exc
        return "".join(out)

    return substitute


def java_split(text: str, regex: str, limit: int = 0) -> list[str]:
    if text == "":
        return [""]
    parts: list[str] = []
    start = 0
    for match in java_regex(regex).finditer(text):
        if limit > 0 and len(parts) >= limit - 1:
            break
        if match.end() == 0:
            continue
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    if limit == 0:
        while parts and parts[-1] == "":
            parts.pop()
    return parts


def _java_trim(text: str) -> str:
    start, end = 0, len(text)
    while start < end and text[start] <= " ":
        start += 1
    while end > start and text[end - 1] <= " ":
        end -= 1
    return text[start:end]


def _substring(text: str, begin: Any, end: Any = None) -> str:
    units = to_units(text)
    b = require_int(begin, "substring begin")
    e = len(units) if end is None else require_int(end, "substring end")
    if b < 0 or e > len(units) or b > e:
        raise EvalError(f"substring({b}, {e}) out of range for length {len(units)}")
    return from_units(units[b:e])


def _index_of(text: str, needle: Any, start: Any = 0) -> int:
    units = to_units(text)
    return units.find(to_units(require_str(needle, "indexOf argument")), max(0, require_int(start, "fromIndex")))


def _last_index_of(text: str, needle: Any, start: Any = None) -> int:
    units, needle_units = to_units(text), to_units(require_str(needle, "lastIndexOf argument"))
    if start is None:
        return units.rfind(needle_units)
    return units.rfind(needle_units, 0, require_int(start, "fromIndex") + len(needle_units))


def _char_at(text: str, index: Any) -> str:
    units = to_units(text)
    i = require_int(index, "charAt index")
    if not 0 <= i < len(units):
        raise EvalError(f"charAt({i}) out of range for length {len(units)}")
    return units[i]


def _starts_with(text: str, prefix: Any, offset: Any = 0) -> bool:
    units, start = to_units(text), require_int(offset, "offset")
    return 0 <= start <= len(units) and units.startswith(to_units(require_str(prefix, "prefix")), start)


def _compare(a: str, b: Any) -> int:
    """Java's `String.compareTo`: the difference of the first differing UTF-16 units, else of the lengths."""
    left, right = to_units(a), to_units(require_str(b, "compareTo argument"))
    for x, y in zip(left, right, strict=False):
        if x != y:
            return ord(x) - ord(y)
    return len(left) - len(right)


STRING_METHODS: dict[str, Method] = {
    "length": utf16_length,
    "isEmpty": lambda s: s == "",
    "isBlank": lambda s: s.strip() == "",
    "equals": lambda s, o: isinstance(o, str) and s == o,
    "equalsIgnoreCase": lambda s, o: isinstance(o, str) and s.lower() == o.lower(),
    "contains": lambda s, o: require_str(o, "contains argument") in s,
    "startsWith": _starts_with,
    "endsWith": lambda s, p: s.endswith(require_str(p, "suffix")),
    "indexOf": _index_of,
    "lastIndexOf": _last_index_of,
    "substring": _substring,
    "charAt": _char_at,
    "trim": _java_trim,
    "strip": lambda s: s.strip(),
    "toLowerCase": lambda s: s.lower(),
    "toUpperCase": lambda s: s.upper(),
    "split": lambda s, r, limit=0: java_split(s, require_str(r, "split regex"), require_int(limit, "limit")),
    "replace": lambda s, a, b: s.replace(to_java_string(a), to_java_string(b)),
    "replaceAll": lambda s, r, rep: java_regex(require_str(r, "regex")).sub(
        java_replacement(require_str(rep, "replacement")), s
    ),
    "replaceFirst": lambda s, r, rep: java_regex(require_str(r, "regex")).sub(
        java_replacement(require_str(rep, "replacement")), s, count=1
    ),
    "matches": lambda s, r: java_regex(require_str(r, "regex")).fullmatch(s) is not None,
    "concat": lambda s, o: s + require_str(o, "concat argument"),
    "compareTo": _compare,
    "compareToIgnoreCase": lambda s, o: _compare(s.lower(), require_str(o, "argument").lower()),
    "toString": lambda s: s,
}


def _list_get(items: list[Any], index: Any) -> Any:
    i = require_int(index, "list index")
    if not 0 <= i < len(items):
        raise EvalError(f"index {i} out of bounds for list of size {len(items)}")
    return items[i]


def _list_add(items: list[Any], first: Any, *rest: Any) -> Any:
    if not rest:
        items.append(first)
        return True
    i = require_int(first, "list index")
    if not 0 <= i <= len(items) or len(rest) != 1:
        raise EvalError(f"add({i}, ...) out of bounds for list of size {len(items)}")
    items.insert(i, rest[0])
    return VOID


def _list_add_all(items: list[Any], first: Any, *rest: Any) -> bool:
    if not rest:
        other = require_list(first, "addAll argument")
        items.extend(list(other))
        return bool(other)
    i = require_int(first, "list index")
    other = require_list(rest[0], "addAll argument")
    items[i:i] = list(other)
    return bool(other)


def _list_index(items: list[Any], value: Any) -> int:
    return next((i for i, v in enumerate(items) if java_equals(v, value)), -1)


def _list_last_index(items: list[Any], value: Any) -> int:
    return next((i for i in range(len(items) - 1, -1, -1) if java_equals(items[i], value)), -1)


def _list_remove(items: list[Any], target: Any) -> Any:
    if isinstance(target, int) and not isinstance(target, bool):
        return items.pop(_checked_index(items, target))
    i = _list_index(items, target)
    if i < 0:
        return False
    del items[i]
    return True


def _checked_index(items: list[Any], index: Any) -> int:
    i = require_int(index, "list index")
    if not 0 <= i < len(items):
        raise EvalError(f"index {i} out of bounds for list of size {len(items)}")
    return i


def _list_set(items: list[Any], index: Any, value: Any) -> Any:
    i = _checked_index(items, index)
    old, items[i] = items[i], value
    return old


def _list_remove_all(items: list[Any], other: Any, keep: bool) -> bool:
    other = require_list(other, "argument")
    kept = [v for v in items if any(java_equals(v, o) for o in other) == keep]
    changed = len(kept) != len(items)
    items[:] = kept
    return changed


def _sub_list(items: list[Any], start: Any, end: Any) -> list[Any]:
    b, e = require_int(start, "fromIndex"), require_int(end, "toIndex")
    if b < 0 or e > len(items) or b > e:
        raise EvalError(f"subList({b}, {e}) out of range for size {len(items)}")
    return items[b:e]


def _clear(container: list[Any] | dict[Any, Any]) -> str:
    container.clear()
    return VOID


LIST_METHODS: dict[str, Method] = {
    "size": lambda items: len(items),
    "isEmpty": lambda items: not items,
    "get": _list_get,
    "add": _list_add,
    "addAll": _list_add_all,
    "contains": lambda items, v: _list_index(items, v) >= 0,
    "containsAll": lambda items, o: all(_list_index(items, v) >= 0 for v in require_list(o, "argument")),
    "indexOf": _list_index,
    "lastIndexOf": _list_last_index,
    "remove": _list_remove,
    "removeAll": lambda items, o: _list_remove_all(items, o, keep=False),
    "retainAll": lambda items, o: _list_remove_all(items, o, keep=True),
    "set": _list_set,
    "clear": _clear,
    "subList": _sub_list,
    "equals": java_equals,
    "toString": to_java_string,
}


def _hashable(key: Any) -> Any:
    if isinstance(key, list | dict):
        raise EvalError(f"a {java_type_name(key)} cannot be a map key")
    return key


def _map_put(mapping: dict[Any, Any], key: Any, value: Any) -> Any:
    key = _hashable(key)
    old = mapping.get(key)
    mapping[key] = value
    return old


def _map_put_if_absent(mapping: dict[Any, Any], key: Any, value: Any) -> Any:
    key = _hashable(key)
    old = mapping.get(key)
    if old is None:
        mapping[key] = value
    return old


def _map_put_all(mapping: dict[Any, Any], other: Any) -> str:
    mapping.update(require_map(other, "putAll argument"))
    return VOID


def _map_get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if not isinstance(key, list | dict) else None


MAP_METHODS: dict[str, Method] = {
    "size": lambda m: len(m),
    "isEmpty": lambda m: not m,
    "get": _map_get,
    "getOrDefault": lambda m, k, d: m.get(k, d) if not isinstance(k, list | dict) else d,
    "put": _map_put,
    "putIfAbsent": _map_put_if_absent,
    "putAll": _map_put_all,
    "remove": lambda m, k: m.pop(k, None) if not isinstance(k, list | dict) else None,
    "containsKey": lambda m, k: not isinstance(k, list | dict) and k in m,
    "containsValue": lambda m, v: any(java_equals(x, v) for x in m.values()),
    "keySet": lambda m: list(m.keys()),
    "values": lambda m: list(m.values()),
    "entrySet": lambda m: [MapEntry(m, k, v) for k, v in m.items()],
    "clear": _clear,
    "equals": java_equals,
    "toString": to_java_string,
}

NUMBER_METHODS: dict[str, Method] = {
    "intValue": lambda n: int(n),
    "longValue": lambda n: int(n),
    "doubleValue": lambda n: float(n),
    "floatValue": lambda n: float(n),
    "equals": java_equals,
    "toString": to_java_string,
    "compareTo": lambda n, o: (n > o) - (n < o) if isinstance(o, int | float) else _bad_compare(o),
}

BOOLEAN_METHODS: dict[str, Method] = {
    "booleanValue": lambda b: b,
    "equals": java_equals,
    "toString": to_java_string,
}


def _bad_compare(other: Any) -> int:
    raise EvalError(f"cannot compare a number with {java_type_name(other)}")


_TABLES: dict[type, dict[str, Method]] = {
    str: STRING_METHODS,
    bool: BOOLEAN_METHODS,
    int: NUMBER_METHODS,
    float: NUMBER_METHODS,
    list: LIST_METHODS,
    dict: MAP_METHODS,
}


def _methods_for(target: Any) -> dict[str, Method] | None:
    table = _TABLES.get(type(target))
    if table is not None:
        return table
    return next((t for kind, t in _TABLES.items() if isinstance(target, kind)), None)


def _arity(fn: Method) -> tuple[int, int]:
    """(min, max) positional arguments a template may pass; max -1 means unbounded."""
    code = fn.__code__
    positional = code.co_argcount - 1
    optional = len(fn.__defaults__ or ())
    variadic = bool(code.co_flags & 0x04)
    return positional - optional, -1 if variadic else positional


_DISPATCH: dict[tuple[type, str], tuple[Method, int, int] | None] = {}


def _resolve(target: Any, name: str) -> tuple[Method, int, int] | None:
    key = (type(target), name)
    try:
        return _DISPATCH[key]
    except KeyError:
        pass
    if isinstance(target, HostObject):
        fn = getattr(type(target), "m_" + name, None)
    else:
        table = _methods_for(target)
        fn = table.get(name) if table is not None else None
    entry = None if fn is None else (fn, *_arity(fn))
    if len(_DISPATCH) < 4096:
        _DISPATCH[key] = entry
    return entry


def call_method(target: Any, name: str, args: list[Any]) -> Any:
    """`$target.name(args)`. A method on null yields null (Velocity); an unknown method is an error."""
    if target is None:
        return None
    entry = _resolve(target, name)
    if entry is None:
        raise EvalError(f"unknown method {name}() on {java_type_name(target)}")
    fn, low, high = entry
    if len(args) < low or (high >= 0 and len(args) > high):
        expected = f"{low}" if low == high else f"{low}..{'n' if high < 0 else high}"
        raise EvalError(f"{name}() takes {expected} argument(s), got {len(args)}")
    return fn(target, *args)


_GETTER_PROPERTIES: dict[str, str] = {"empty": "isEmpty", "blank": "isBlank"}


def get_property(target: Any, name: str) -> Any:
    """`$target.name`: a map key, a host property, or `empty`/`blank` (isEmpty/isBlank); else null."""
    if isinstance(target, dict):
        return target.get(name)
    if isinstance(target, HostObject):
        return target.get_property(name)
    if isinstance(target, list | str) and name in _GETTER_PROPERTIES:
        table = _methods_for(target)
        method = table.get(_GETTER_PROPERTIES[name]) if table else None
        return method(target) if method else None
    return None


def get_index(target: Any, index: Any) -> Any:
    """`$target[index]`: list position or map key; null on null."""
    if target is None or index is None:
        return None
    if isinstance(target, list):
        return _list_get(target, index)
    if isinstance(target, dict):
        return _map_get(target, index)
    if isinstance(target, HostObject) and isinstance(index, str):
        return target.get_property(index)
    raise EvalError(f"cannot index a {java_type_name(target)}")
