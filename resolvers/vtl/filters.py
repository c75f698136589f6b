"""Amplify filter inputs (`{field: {op: value}, and: [...], or: [...], not: {...}}`) translated to
DynamoDB filter/condition expressions and to AppSync subscription filters.

Field names and values never enter the expression text: names become `#placeholders`
(`expressionNames`), values `:placeholders` (`expressionValues`). Unknown operators are errors, so
a filter the translator does not understand cannot silently match more than intended.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import EvalError
from .javatypes import require_list, require_map, to_java_string
from .util_dynamodb import to_attribute_value

_COMPARATORS = {"eq": "=", "ne": "<>", "le": "<=", "lt": "<", "ge": ">=", "gt": ">"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_MAX_FILTER_GROUPS = 256
SUBSCRIPTION_OPERATORS = frozenset(
    {"eq", "ne", "le", "lt", "ge", "gt", "contains", "notContains", "beginsWith", "in", "notIn", "between",
     "containsAny", "attributeExists"}
)


class ExpressionBuilder:
    """Collects placeholders while a filter map is turned into one DynamoDB expression."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}
        self._name_of_field: dict[str, str] = {}

    def _unique(self, base: str, taken: dict[str, Any]) -> str:
        candidate, n = base, 1
        while candidate in taken:
            candidate = f"{base}_{n}"
            n += 1
        return candidate

    def name(self, field: str) -> str:
        if field not in self._name_of_field:
            placeholder = self._unique("#" + (_UNSAFE.sub("_", field) or "field"), self.names)
            self.names[placeholder] = field
            self._name_of_field[field] = placeholder
        return self._name_of_field[field]

    def value(self, field: str, op: str, value: Any) -> str:
        placeholder = self._unique(f":{_UNSAFE.sub('_', field) or 'field'}_{op}", self.values)
        self.values[placeholder] = to_attribute_value(value)
        return placeholder

    def build(self, filter_map: Any) -> str | None:
        """The expression for a filter map (entries ANDed), or None when it has no condition."""
        clauses: list[str] = []
        for key, condition in require_map(filter_map, "filter").items():
            if key == "and":
                parts = [p for p in (self.build(f) for f in require_list(condition, "'and'")) if p]
                if parts:
                    clauses.append(_join(parts, "AND"))
            elif key == "or":
                items = require_list(condition, "'or'")
                if not items:
                    raise EvalError("an 'or' filter needs at least one condition")
                alternatives = [self.build(f) for f in items]
                if any(a is None for a in alternatives):
                    continue
                clauses.append(_join([a for a in alternatives if a], "OR"))
            elif key == "not":
                inner = self.build(condition)
                if inner is None:
                    raise EvalError("a 'not' filter needs a condition")
                clauses.append(f"NOT ({inner})")
            elif condition is not None:
                field = to_java_string(key)
                for op, operand in require_map(condition, f"condition on {field!r}").items():
                    clauses.append(self.condition(field, to_java_string(op), operand))
        if not clauses:
            return None
        return _join(clauses, "AND")

    def condition(self, field: str, op: str, operand: Any) -> str:
        name = self.name(field)
        if op in _COMPARATORS:
            return f"{name} {_COMPARATORS[op]} {self.value(field, op, operand)}"
        if op == "contains":
            return f"contains({name}, {self.value(field, op, operand)})"
        if op == "notContains":
            return f"NOT contains({name}, {self.value(field, op, operand)})"
        if op == "beginsWith":
            return f"begins_with({name}, {self.value(field, op, operand)})"
        if op == "between":
            bounds = require_list(operand, f"'between' on {field!r}")
            if len(bounds) != 2:
                raise EvalError(f"'between' on {field!r} needs exactly two values")
            low, high = self.value(field, op, bounds[0]), self.value(field, op, bounds[1])
            return f"{name} BETWEEN {low} AND {high}"
        if op == "attributeExists":
            if not isinstance(operand, bool):
                raise EvalError(f"'attributeExists' on {field!r} needs true or false")
            return f"attribute_exists({name})" if operand else f"attribute_not_exists({name})"
        if op == "attributeType":
            if not isinstance(operand, str):
                raise EvalError(f"'attributeType' on {field!r} needs a type name")
            return f"attribute_type({name}, {self.value(field, op, operand)})"
        if op == "in":
            options = require_list(operand, f"'in' on {field!r}")
            if not options:
                return f"attribute_exists({name}) AND attribute_not_exists({name})"
            return f"{name} IN ({', '.join(self.value(field, op, v) for v in options)})"
        if op == "size":
            return self.size_condition(field, name, operand)
        raise EvalError(f"unsupported filter operator {op!r} on {field!r}")

    def size_condition(self, field: str, name: str, operand: Any) -> str:
        parts: list[str] = []
        for op, value in require_map(operand, f"'size' on {field!r}").items():
            if op in _COMPARATORS:
                parts.append(f"size({name}) {_COMPARATORS[op]} {self.value(field, 'size_' + op, value)}")
            elif op == "between":
                bounds = require_list(value, "'size.between'")
                if len(bounds) != 2:
                    raise EvalError(f"'size.between' on {field!r} needs exactly two values")
                low = self.value(field, "size_between", bounds[0])
                high = self.value(field, "size_between", bounds[1])
                parts.append(f"size({name}) BETWEEN {low} AND {high}")
            else:
                raise EvalError(f"unsupported size operator {op!r} on {field!r}")
        if not parts:
            raise EvalError(f"'size' on {field!r} needs a comparison")
        return _join(parts, "AND")


def _join(parts: list[str], operator: str) -> str:
    if len(parts) == 1:
        return parts[0]
    return f" {operator} ".join(f"({p})" for p in parts)


def dynamodb_expression(filter_map: Any, include_values: bool = True) -> dict[str, Any] | None:
    """`{"expression", "expressionNames", "expressionValues"}` for a filter map, None if it is empty."""
    if filter_map is None:
        return None
    builder = ExpressionBuilder()
    expression = builder.build(filter_map)
    if expression is None:
        return None
    result: dict[str, Any] = {"expression": expression, "expressionNames": builder.names}
    if include_values:
        result["expressionValues"] = builder.values
    return result


Conjunction = list[dict[str, Any]]


def _and(left: list[Conjunction], right: list[Conjunction]) -> list[Conjunction]:
    product = [a + b for a in left for b in right]
    if len(product) > _MAX_FILTER_GROUPS:
        raise EvalError("subscription filter expands to too many filter groups")
    return product


def _disjunctive(filter_map: Any, ignored: frozenset[str]) -> list[Conjunction]:
    groups: list[Conjunction] = [[]]
    for key, condition in require_map(filter_map, "subscription filter").items():
        if key == "and":
            for item in require_list(condition, "'and'"):
                groups = _and(groups, _disjunctive(item, ignored))
        elif key == "or":
            alternatives: list[Conjunction] = []
            for item in require_list(condition, "'or'"):
                alternatives.extend(_disjunctive(item, ignored))
            if not alternatives:
                raise EvalError("an 'or' filter needs at least one condition")
            groups = _and(groups, alternatives)
        elif key == "not":
            raise EvalError("'not' is not supported in subscription filters")
        elif condition is not None and to_java_string(key) not in ignored:
            field = to_java_string(key)
            filters = []
            for op, value in require_map(condition, f"condition on {field!r}").items():
                if op not in SUBSCRIPTION_OPERATORS:
                    raise EvalError(f"unsupported subscription filter operator {op!r} on {field!r}")
                filters.append({"fieldName": field, "operator": op, "value": value})
            groups = _and(groups, [filters])
    return groups


def subscription_filter(filter_map: Any, ignored_fields: Any = None, rules: Any = None) -> dict[str, Any] | None:
    """AppSync's `{"filterGroup": [{"filters": [...]}]}`: groups ORed, filters in a group ANDed.

    The signatures AppSync documents: `(Map)`, `(Map, List)` where the list names fields of the map to
    ignore, and `(Map, List, Map)` where the third is a map of rules, ANDed here with the first (a list
    there is refused, as AppSync takes none).
    """
    ignored = frozenset(to_java_string(f) for f in require_list(ignored_fields or [], "ignoredFields"))
    groups: list[Conjunction] = [[]]
    if filter_map is not None:
        groups = _disjunctive(filter_map, ignored)
    if rules is not None:
        groups = _and(groups, _disjunctive(require_map(rules, "toSubscriptionFilter rules"), ignored))
    if not groups or any(not g for g in groups):
        return None
    return {"filterGroup": [{"filters": g} for g in groups]}
