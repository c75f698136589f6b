"""DynamoDB expressions (condition, filter, key condition, update) parsed and evaluated on plain items.

Only placeholders reach attribute names and values: `#name` is looked up in `expressionNames`,
`:value` in `expressionValues` (already plain Python values); a bare identifier is an attribute
name, as in DynamoDB. A comparison with a missing attribute is false. Anything the parser does not
know is an `ExpressionError` (the request fails; nothing is matched by accident).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(r"\s*(<>|<=|>=|[=<>(),+\-]|#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_.]*)")
_MISSING = object()


class ExpressionError(ValueError):
    """A malformed or unsupported expression, or an unknown placeholder."""


def tokenize(text: str) -> list[str]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExpressionError(f"unexpected text in expression at {pos}: {text[pos:pos + 20]!r}")
        tokens.append(match.group(1))
        pos = match.end()
    return tokens


Item = Mapping[str, Any]
Getter = Callable[[Item], Any]


class _Parser:
    def __init__(self, text: str, names: Mapping[str, str], values: Mapping[str, Any]) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.names = names
        self.values = values

    def peek(self, offset: int = 0) -> str | None:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise ExpressionError("unexpected end of expression")
        if expected is not None and token.upper() != expected:
            raise ExpressionError(f"expected {expected}, found {token!r}")
        self.pos += 1
        return token

    def at_keyword(self, word: str) -> bool:
        token = self.peek()
        return token is not None and token.upper() == word

    def done(self) -> None:
        if self.peek() is not None:
            raise ExpressionError(f"unexpected {self.peek()!r} in expression")

    def attribute(self, token: str) -> str:
        if token.startswith("#"):
            if token not in self.names:
                raise ExpressionError(f"unknown name placeholder {token}")
            return self.names[token]
        if token.startswith(":") or not re.match(r"[A-Za-z_]", token):
            raise ExpressionError(f"expected an attribute name, found {token!r}")
        return token

    def condition(self) -> Callable[[Item], bool]:
        left = self.conjunction()
        while self.at_keyword("OR"):
            self.take()
            right = self.conjunction()
            left = (lambda a, b: lambda item: a(item) or b(item))(left, right)
        return left

    def conjunction(self) -> Callable[[Item], bool]:
        left = self.negation()
        while self.at_keyword("AND"):
            self.take()
            right = self.negation()
            left = (lambda a, b: lambda item: a(item) and b(item))(left, right)
        return left

    def negation(self) -> Callable[[Item], bool]:
        if self.at_keyword("NOT"):
            self.take()
            inner = self.negation()
            return lambda item: not inner(item)
        return self.predicate()

    def predicate(self) -> Callable[[Item], bool]:
        token = self.peek()
        if token == "(":
            self.take()
            inner = self.condition()
            self.take(")")
            return inner
        if token is not None and self.peek(1) == "(" and token.lower() in _FUNCTIONS:
            return self.function()
        left = self.operand()
        if self.at_keyword("BETWEEN"):
            self.take()
            low = self.operand()
            self.take("AND")
            high = self.operand()
            return lambda item: _between(left(item), low(item), high(item))
        if self.at_keyword("IN"):
            self.take()
            self.take("(")
            options = [self.operand()]
            while self.peek() == ",":
                self.take()
                options.append(self.operand())
            self.take(")")
            return lambda item: (value := left(item)) is not _MISSING and any(value == o(item) for o in options)
        operator = self.take()
        if operator not in _COMPARE:
            raise ExpressionError(f"unknown comparison {operator!r}")
        right = self.operand()
        compare = _COMPARE[operator]
        return lambda item: _compare(compare, left(item), right(item))

    def function(self) -> Callable[[Item], bool]:
        name = self.take().lower()
        self.take("(")
        path = self.attribute(self.take())
        argument: Getter | None = None
        if self.peek() == ",":
            self.take()
            argument = self.operand()
        self.take(")")
        return _FUNCTIONS[name](path, argument)

    def operand(self) -> Getter:
        token = self.take()
        if token.startswith(":"):
            if token not in self.values:
                raise ExpressionError(f"unknown value placeholder {token}")
            value = self.values[token]
            return lambda item: value
        if token.lower() == "size" and self.peek() == "(":
            self.take("(")
            path = self.attribute(self.take())
            self.take(")")
            return lambda item: _size(item.get(path, _MISSING))
        name = self.attribute(token)
        return lambda item: item.get(name, _MISSING)


def _compare(compare: Callable[[Any, Any], bool], left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return False
    try:
        return compare(left, right)
    except TypeError:
        return False


def _between(value: Any, low: Any, high: Any) -> bool:
    if _MISSING in (value, low, high):
        return False
    try:
        return bool(low <= value <= high)
    except TypeError:
        return False


def _size(value: Any) -> Any:
    if value is _MISSING or value is None:
        return _MISSING
    if isinstance(value, str | list | dict | bytes):
        return len(value)
    return _MISSING


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _contains(path: str, argument: Getter | None) -> Callable[[Item], bool]:
    def check(item: Item) -> bool:
        value, needle = item.get(path, _MISSING), argument(item) if argument else _MISSING
        if value is _MISSING or needle is _MISSING:
            return False
        if isinstance(value, str):
            return isinstance(needle, str) and needle in value
        if isinstance(value, list):
            return needle in value
        return False

    return check


def _begins_with(path: str, argument: Getter | None) -> Callable[[Item], bool]:
    def check(item: Item) -> bool:
        value, prefix = item.get(path, _MISSING), argument(item) if argument else _MISSING
        return isinstance(value, str) and isinstance(prefix, str) and value.startswith(prefix)

    return check


_TYPE_OF = {str: "S", bool: "BOOL", int: "N", float: "N", list: "L", dict: "M", type(None): "NULL"}


def _attribute_type(path: str, argument: Getter | None) -> Callable[[Item], bool]:
    def check(item: Item) -> bool:
        value = item.get(path, _MISSING)
        return value is not _MISSING and argument is not None and _TYPE_OF.get(type(value)) == argument(item)

    return check


_FUNCTIONS: dict[str, Callable[[str, Getter | None], Callable[[Item], bool]]] = {
    "attribute_exists": lambda path, _arg: lambda item: path in item,
    "attribute_not_exists": lambda path, _arg: lambda item: path not in item,
    "attribute_type": _attribute_type,
    "begins_with": _begins_with,
    "contains": _contains,
}


def compile_condition(text: str, names: Mapping[str, str] | None, values: Mapping[str, Any] | None) -> Callable[[Item], bool]:
    """A predicate over plain items for a condition, filter or key-condition expression."""
    parser = _Parser(text, names or {}, values or {})
    predicate = parser.condition()
    parser.done()
    return predicate


def apply_update(item: dict[str, Any], text: str, names: Mapping[str, str] | None, values: Mapping[str, Any] | None) -> None:
    """Apply `SET a = v, b = a + v, c = if_not_exists(c, v)` / `REMOVE a, b` / `ADD n v` to `item` in place."""
    parser = _Parser(text, names or {}, values or {})
    sets: list[tuple[str, Getter]] = []
    removes: list[str] = []
    adds: list[tuple[str, Getter]] = []
    while parser.peek() is not None:
        keyword = parser.take().upper()
        while True:
            path = parser.attribute(parser.take())
            if keyword == "SET":
                parser.take("=")
                sets.append((path, _set_value(parser)))
            elif keyword == "REMOVE":
                removes.append(path)
            elif keyword == "ADD":
                adds.append((path, parser.operand()))
            else:
                raise ExpressionError(f"unsupported update clause {keyword}")
            if parser.peek() != ",":
                break
            parser.take()
    before = dict(item)
    for path, value in sets:
        result = value(before)
        if result is _MISSING:
            raise ExpressionError(f"SET {path}: an operand refers to a missing attribute")
        item[path] = result
    for path in removes:
        item.pop(path, None)
    for path, value in adds:
        current = before.get(path, 0)
        item[path] = current + value(before)


def _set_value(parser: _Parser) -> Getter:
    token = parser.peek()
    if token is not None and token.lower() == "if_not_exists" and parser.peek(1) == "(":
        parser.take()
        parser.take("(")
        path = parser.attribute(parser.take())
        parser.take(",")
        fallback = parser.operand()
        parser.take(")")
        first: Getter = lambda item: item[path] if path in item else fallback(item)  # noqa: E731
    elif token is not None and token.lower() == "list_append" and parser.peek(1) == "(":
        parser.take()
        parser.take("(")
        left = parser.operand()
        parser.take(",")
        right = parser.operand()
        parser.take(")")
        first = lambda item: list(left(item)) + list(right(item))  # noqa: E731
    else:
        first = parser.operand()
    if parser.peek() in ("+", "-"):
        sign = parser.take()
        second = parser.operand()
        if sign == "+":
            return lambda item: _arith(first(item), second(item), 1)
        return lambda item: _arith(first(item), second(item), -1)
    return first


def _arith(a: Any, b: Any, sign: int) -> Any:
    if a is _MISSING or b is _MISSING or not isinstance(a, int | float) or not isinstance(b, int | float):
        raise ExpressionError("arithmetic needs two numbers")
    return a + sign * b
