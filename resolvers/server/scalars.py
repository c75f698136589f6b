"""AppSync's scalars, validated on input as AppSync validates them (a bad value is a GraphQL error,
never stored). Values keep their string form in the store and in results."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from typing import Any

from ariadne import ScalarType
from graphql import IntValueNode, StringValueNode, ValueNode

_OFFSET = r"(?:Z|[+-]\d{2}:\d{2}(?::\d{2})?)"
_DATE = r"-?\d{4,}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?"

_PATTERNS = {
    "AWSDate": re.compile(rf"{_DATE}{_OFFSET}?"),
    "AWSTime": re.compile(rf"{_TIME}{_OFFSET}?"),
    "AWSDateTime": re.compile(rf"{_DATE}T{_TIME}{_OFFSET}"),
    "AWSEmail": re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),
    "AWSURL": re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s]+|mailto:[^\s]+"),
    "AWSPhone": re.compile(r"\+?[0-9][0-9 ()\-.]{1,30}"),
}


def _string_checker(name: str, check: Callable[[str], bool]) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if not isinstance(value, str) or not check(value):
            raise ValueError(f"{json.dumps(value)[:80]} is not a valid {name}")
        return value

    return parse


def _matches(pattern: re.Pattern[str]) -> Callable[[str], bool]:
    return lambda text: pattern.fullmatch(text) is not None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        return False
    return True


def _timestamp(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{json.dumps(value)[:80]} is not a valid AWSTimestamp (seconds since the epoch)")
    return value


def _literal(parse: Callable[[Any], Any]) -> Callable[[ValueNode, dict[str, Any] | None], Any]:
    def parse_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> Any:
        if isinstance(node, StringValueNode):
            return parse(node.value)
        if isinstance(node, IntValueNode):
            return parse(int(node.value))
        raise ValueError("expected a string")

    return parse_literal


def appsync_scalars() -> list[ScalarType]:
    parsers: dict[str, Callable[[Any], Any]] = {
        name: _string_checker(name, _matches(pattern)) for name, pattern in _PATTERNS.items()
    }
    parsers["AWSJSON"] = _string_checker("AWSJSON", _is_json)
    parsers["AWSIPAddress"] = _string_checker("AWSIPAddress", _is_ip)
    parsers["AWSTimestamp"] = _timestamp
    return [ScalarType(name, value_parser=parse, literal_parser=_literal(parse)) for name, parse in parsers.items()]
