"""AppSync enhanced subscription filters (`{"filterGroup": [{"filters": [...]}]}`) evaluated on an event.

Groups are ORed, filters within a group ANDed. An unknown operator never matches (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_MISSING = object()


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(value: Any, operand: Any) -> bool:
        if value is _MISSING or value is None or operand is None:
            return False
        try:
            return compare(value, operand)
        except TypeError:
            return False

    return check


def _contains(value: Any, operand: Any) -> bool:
    if isinstance(value, str):
        return isinstance(operand, str) and operand in value
    return isinstance(value, list) and operand in value


def _contains_any(value: Any, operand: Any) -> bool:
    return isinstance(value, list) and isinstance(operand, list) and any(item in value for item in operand)


def _between(value: Any, operand: Any) -> bool:
    return isinstance(operand, list) and len(operand) == 2 and _ordered(lambda v, o: o[0] <= v <= o[1])(value, operand)


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda v, o: v is not _MISSING and v == o,
    "ne": lambda v, o: v is _MISSING or v != o,
    "le": _ordered(lambda v, o: v <= o),
    "lt": _ordered(lambda v, o: v < o),
    "ge": _ordered(lambda v, o: v >= o),
    "gt": _ordered(lambda v, o: v > o),
    "contains": _contains,
    "notContains": lambda v, o: not _contains(v, o),
    "beginsWith": lambda v, o: isinstance(v, str) and isinstance(o, str) and v.startswith(o),
    "in": lambda v, o: v is not _MISSING and isinstance(o, list) and v in o,
    "notIn": lambda v, o: not (isinstance(o, list) and v in o),
    "between": _between,
    "containsAny": _contains_any,
    "attributeExists": lambda v, o: (v is not _MISSING and v is not None) == bool(o),
}


def filter_matches(subscription_filter: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    groups = subscription_filter.get("filterGroup")
    if not isinstance(groups, list) or not groups:
        return False
    for group in groups:
        filters = group.get("filters") if isinstance(group, Mapping) else None
        if not isinstance(filters, list):
            continue
        if all(_holds(f, event) for f in filters):
            return True
    return False


def _holds(condition: Any, event: Mapping[str, Any]) -> bool:
    if not isinstance(condition, Mapping):
        return False
    check = OPERATORS.get(str(condition.get("operator")))
    if check is None:
        return False
    return check(event.get(str(condition.get("fieldName")), _MISSING), condition.get("value"))
